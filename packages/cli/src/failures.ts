/**
 * Exit codes of the `beamflow` command and how beamflow's typed errors map
 * onto them. Scripts branch on these numbers, so they are part of the
 * command's interface (documented in `--help` and the README): matching is
 * on each error's stable `code`, never on message text.
 */
import { BeamflowError } from '@beamflow/core';

/** Exit statuses. 130/143 follow the shell's 128 + signal number. */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  input: 3,
  SIGINT: 130,
  SIGTERM: 143,
} as const;

/** The lines `--help` and the README show for {@link EXIT}. */
export const EXIT_CODE_HELP: ReadonlyArray<readonly [string, string]> = [
  ['0', 'success'],
  ['1', 'runtime or media failure (encoder, muxer, output, hardware device)'],
  ['2', 'usage error: unknown command or option, or a bad value'],
  ['3', 'input missing, unreadable, or not valid media'],
  ['130', 'interrupted by SIGINT (Ctrl-C); the output was finalized'],
  ['143', 'interrupted by SIGTERM; the output was finalized'],
];

/** A command line that cannot be run as written. `command` selects the help to point at. */
export class UsageError extends Error {
  readonly code = 'BEAMFLOW_USAGE';
  readonly command: string | undefined;

  constructor(message: string, command?: string) {
    super(message);
    this.name = 'UsageError';
    this.command = command;
  }
}

/** What the user sees and the process returns for an error. */
export interface Failure {
  exitCode: number;
  /** A beamflow error code, `BEAMFLOW_USAGE`, or Node's code (`EPIPE`). */
  code: string;
  message: string;
}

/**
 * Library configuration fields and the flags that set them: a ConfigError
 * raised deep in a stage then names what the user typed (`--crf`, not
 * `video.crf`).
 */
const FLAG_OF_FIELD: Record<string, string> = {
  'video.crf': '--crf',
  'video.preset': '--preset',
  'video.hwDevice': '--hw',
  'video.width': '--size',
  'video.height': '--size',
  'video.frameRate': '--fps',
  width: '--size',
  height: '--size',
  duration: '--duration',
  'hls.segmentDuration': '--segment-duration',
  format: '--format',
  output: '--output',
};

/** Operations whose FFmpeg failure means the input's data is broken, not beamflow or the output. */
const INPUT_OPS = /^(read |decode |drain decoder|open decoder)/;

/**
 * Map any thrown value to an exit code, a stable code and a message. `flags`: the running
 * command's option names; a field is reported under a flag only when the command has it (a
 * core `width` is `--size` for transcode, but thumbnails has a `--width` of its own).
 */
export function classify(err: unknown, flags?: ReadonlySet<string>): Failure {
  if (err instanceof UsageError) return { exitCode: EXIT.usage, code: err.code, message: err.message };
  if (BeamflowError.isInstance(err)) {
    switch (err.code) {
      case 'BEAMFLOW_CONFIG': {
        const field = (err as BeamflowError & { field?: string }).field;
        const mapped = field === undefined ? undefined : FLAG_OF_FIELD[field];
        const flag = mapped && (!flags || flags.has(mapped.slice(2))) ? mapped : undefined;
        const message = flag && field && err.message.startsWith(`${field}: `) ? `${flag}: ${err.message.slice(field.length + 2)}` : err.message;
        return { exitCode: EXIT.usage, code: err.code, message };
      }
      case 'BEAMFLOW_INPUT':
        return { exitCode: EXIT.input, code: err.code, message: err.message };
      case 'BEAMFLOW_FFMPEG': {
        const op = (err as BeamflowError & { op?: string }).op ?? '';
        return { exitCode: INPUT_OPS.test(op) ? EXIT.input : EXIT.failure, code: err.code, message: err.message };
      }
      default:
        return { exitCode: EXIT.failure, code: err.code, message: err.message };
    }
  }
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EPIPE') return { exitCode: EXIT.failure, code, message: 'the reader of stdout went away (broken pipe)' };
  const message = err instanceof Error ? err.message : String(err);
  return { exitCode: EXIT.failure, code: typeof code === 'string' ? code : 'ERROR', message };
}
