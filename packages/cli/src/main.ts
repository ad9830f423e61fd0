/**
 * The `beamflow` program: picks the command, prints help and the version,
 * and turns every failure into one `beamflow: <message>` line (or a JSON
 * `error` event) and an exit code. Nothing here writes to stdout except help,
 * the version, `probe`'s report and `hw`'s table: with `-o -`, stdout is the
 * media.
 */
import { readFileSync } from 'node:fs';
import { closestNames } from '@beamflow/core/internal';
import type { Command, Io } from './command.js';
import { encode } from './commands/encode.js';
import { hls } from './commands/hls.js';
import { hw } from './commands/hw.js';
import { probeCommand } from './commands/probe.js';
import { thumbnailsCommand } from './commands/thumbnails.js';
import { transcode } from './commands/transcode.js';
import { worker } from './commands/worker.js';
import { classify, EXIT, EXIT_CODE_HELP, UsageError } from './failures.js';
import { parseCommand, renderOptions } from './options.js';
import { ProgressReporter, progressMode } from './progress.js';
import { Interrupts } from './run.js';

export const COMMANDS: readonly Command[] = [encode, transcode, hls, probeCommand, thumbnailsCommand, hw, worker];

/** The package's version (package.json sits one level above both src/ and dist/). */
export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function exitCodeLines(): string {
  return EXIT_CODE_HELP.map(([code, text]) => `  ${code.padEnd(5)}${text}`).join('\n');
}

/** `beamflow --help`. */
export function programHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 3;
  return [
    'beamflow: media pipelines on FFmpeg (H.264 + AAC), from the command line',
    '',
    'Usage:',
    '  beamflow <command> [options]',
    '  beamflow <command> --help',
    '  beamflow --version',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Progress goes to stderr: a bar redrawn in place on a terminal, a plain line every',
    'few seconds otherwise, JSON lines with --json (progress, end, error events).',
    'Ctrl-C (or SIGTERM) stops reading the input, finishes the encoders and writes the',
    "output's trailer, so what was encoded plays; a second Ctrl-C quits at once.",
    '',
    'Exit codes:',
    exitCodeLines(),
    '',
    'Examples:',
    '  beamflow encode --duration 10 --size 1280x720 --fps 25 -o out.mp4',
    '  beamflow transcode in.mkv -o out.mp4 --size 640x360',
    '  beamflow hls in.mp4 -o out/hls --ladder 1080,720,360',
    '  beamflow probe in.mp4 --json',
    '  beamflow thumbnails in.mp4 -o thumbs --every 5 --sprite 10',
    '  beamflow hw',
    '  beamflow worker --redis redis://127.0.0.1:6379 --storage /mnt/media',
    '',
  ].join('\n');
}

/** `beamflow <command> --help`. */
export function commandHelp(c: Command): string {
  return [
    `beamflow ${c.name}: ${c.summary}`,
    '',
    'Usage:',
    ...c.usage.map((u) => `  beamflow ${u}`),
    '',
    ...c.description,
    '',
    'Options:',
    renderOptions(c.options),
    '',
    'Examples:',
    ...c.examples.map((e) => `  ${e}`),
    '',
    'Exit codes:',
    exitCodeLines(),
    '',
  ].join('\n');
}

function findCommand(name: string): Command {
  const c = COMMANDS.find((x) => x.name === name);
  if (c) return c;
  const near = closestNames(name, COMMANDS.map((x) => x.name), 2);
  throw new UsageError(
    `unknown command '${name}'${near.length ? ` (did you mean ${near.join(' or ')}?)` : ''}; commands: ${COMMANDS.map((x) => x.name).join(', ')}`,
  );
}

/** Run the program; resolves with the exit code. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [first, ...rest] = argv;
  // Before the options are parsed, --json anywhere already asks for JSON errors.
  let progress = new ProgressReporter(progressMode({ json: argv.includes('--json'), quiet: true }, io.stderr), io.stderr);
  let command: Command | undefined;
  let interrupts: Interrupts | undefined;
  try {
    if (first === undefined) throw new UsageError(`no command given; commands: ${COMMANDS.map((c) => c.name).join(', ')} (beamflow --help for more)`);
    if (first === '--help' || first === '-h') {
      io.stdout.write(programHelp());
      return EXIT.ok;
    }
    if (first === 'help') {
      io.stdout.write(rest[0] ? commandHelp(findCommand(rest[0])) : programHelp());
      return EXIT.ok;
    }
    if (first === '--version') {
      io.stdout.write(`${version()}\n`);
      return EXIT.ok;
    }
    if (first.startsWith('-')) throw new UsageError(`unknown option ${first} before the command; program options: --help, --version; commands: ${COMMANDS.map((c) => c.name).join(', ')}`);
    command = findCommand(first);
    const args = parseCommand(command.name, command.options, rest, command.positionals);
    if (args.values.help) {
      io.stdout.write(commandHelp(command));
      return EXIT.ok;
    }
    const mode = command.media ? progressMode({ json: args.values.json === true, quiet: args.values.quiet === true }, io.stderr) : 'quiet';
    progress = new ProgressReporter(mode, io.stderr);
    const reporter = progress;
    interrupts = new Interrupts((line, signal) => {
      reporter.event('interrupt', { signal });
      reporter.say(line);
    });
    if (command.media) interrupts.install();
    return await command.run(args, { io, progress, interrupts });
  } catch (err) {
    const failure = classify(err, command ? new Set(command.options.map((o) => o.name)) : undefined);
    const exitCode = interrupts?.exitCode ?? failure.exitCode;
    progress.closeLine();
    if (progress.mode === 'json') {
      progress.event('error', { code: failure.code, message: failure.message, exitCode });
    } else {
      io.stderr.write(`beamflow: ${failure.message}\n`);
      if (failure.exitCode === EXIT.usage) {
        const topic = err instanceof UsageError && err.command ? err.command : command?.name;
        io.stderr.write(`Try 'beamflow ${topic ? `${topic} ` : ''}--help'.\n`);
      }
    }
    return exitCode;
  } finally {
    interrupts?.dispose();
  }
}
