/**
 * Errors across Redis. A job's failure reaches the coordinator as BullMQ's
 * `failedReason`, a string: the worker writes it as `CODE: message` (a
 * beamflow error's stable code first, readable in any BullMQ dashboard too),
 * and the coordinator turns it back into a {@link ClusterJobError} that has
 * the failing job's code, so a program matches on `code` as it does for a
 * local transcode (`BEAMFLOW_INPUT` for an unreadable segment input).
 */
import { BeamflowError, type BeamflowErrorCode } from '@beamflow/core';

const CODES: readonly BeamflowErrorCode[] = [
  'BEAMFLOW_ERROR', 'BEAMFLOW_CONFIG', 'BEAMFLOW_STATE', 'BEAMFLOW_FFMPEG', 'BEAMFLOW_NATIVE_MISSING', 'BEAMFLOW_INPUT',
  'BEAMFLOW_TIMESTAMP', 'BEAMFLOW_DEVICE_UNAVAILABLE', 'BEAMFLOW_ABORTED', 'BEAMFLOW_OVERFLOW',
];

/** Which job of a flow failed. */
export interface FailedJob {
  /** BullMQ's job id. */
  id: string;
  /** `'video-segment'`, `'audio'` or `'stitch'`. */
  name: string;
  /** The segment's index, for a `video-segment`. */
  segment?: number;
  /** The rendition's index, for a `video-segment`. */
  rung?: number;
  /** Attempts made before it failed for good. */
  attempts: number;
}

/**
 * A cluster transcode failed: `failed` names the job (a segment, the audio, the stitch), `code`
 * is that job's own error code, `reason` its message.
 */
export class ClusterJobError extends BeamflowError {
  readonly flow: string;
  readonly failed: FailedJob | undefined;
  readonly reason: string;

  constructor(flow: string, failed: FailedJob | undefined, failedReason: string) {
    const { code, message } = parseReason(failedReason);
    const what = !failed ? 'the job' : failed.name === 'video-segment'
      ? `segment ${failed.segment ?? '?'}${failed.rung ? ` of rendition ${failed.rung}` : ''}`
      : `the ${failed.name} job`;
    const tries = failed ? ` after ${failed.attempts} attempt${failed.attempts === 1 ? '' : 's'}` : '';
    super(code, `transcode ${flow}: ${what} failed${tries}: ${message}`);
    this.flow = flow;
    this.failed = failed;
    this.reason = message;
  }
}

/** The `failedReason` a worker records for an error. */
export function formatReason(err: unknown): string {
  if (BeamflowError.isInstance(err)) return `${err.code}: ${err.message}`;
  if (err instanceof Error) return err.message;
  return String(err);
}

/** A `failedReason` split into a beamflow code (BEAMFLOW_ERROR when it has none) and the message. */
export function parseReason(reason: string): { code: BeamflowErrorCode; message: string } {
  const m = /^(BEAMFLOW_[A-Z_]+): ([\s\S]*)$/.exec(reason);
  if (m && (CODES as readonly string[]).includes(m[1]!)) return { code: m[1] as BeamflowErrorCode, message: m[2]! };
  return { code: 'BEAMFLOW_ERROR', message: reason };
}
