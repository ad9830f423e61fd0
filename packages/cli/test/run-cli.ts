/**
 * Runs `beamflow` in a child process, as a user's shell would: real exit
 * codes, real signals, stdout kept as bytes (it may be media). The sources
 * run through tsx with the workspace tsconfig, so `@beamflow/*` resolve to
 * the packages' sources, not to builds that may be older.
 */
import { spawn, spawnSync } from 'node:child_process';
import { openSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export const root = resolve(__dirname, '../../..');
const bin = join(root, 'packages/cli/src/bin.ts');
const tsx = pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href;

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  /** A file descriptor to hand the child as its stdout (a redirect to a file); default a pipe. */
  stdoutFd?: number;
  /** Called with stderr so far whenever it grows; may signal the child. */
  onStderr?: (stderr: string, signal: (sig: NodeJS.Signals) => void) => void;
  timeoutMs?: number;
  /** Another script of the repository to run instead of the command. */
  script?: string;
  /** A file to hand the child as its stdin (`< file`); default none. */
  stdinFile?: string;
}

/** Run `node --import tsx src/bin.ts ...args`. */
export function cli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', tsx, opts.script ? join(root, opts.script) : bin, ...args], {
      cwd: opts.cwd ?? root,
      env: { ...process.env, TSX_TSCONFIG_PATH: join(root, 'tsconfig.json') },
      stdio: [opts.stdinFile ? openSync(opts.stdinFile, 'r') : 'ignore', opts.stdoutFd ?? 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => out.push(d));
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      opts.onStderr?.(stderr, (sig) => child.kill(sig));
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`beamflow ${args.join(' ')} did not finish in ${opts.timeoutMs ?? 30_000} ms; stderr: ${stderr.slice(-2000)}`));
    }, opts.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout: Buffer.concat(out), stderr });
    });
  });
}

/** Every stderr line parsed as a JSON event (throws on a line that is not JSON). */
export function events(stderr: string): Array<Record<string, unknown> & { event: string }> {
  return stderr.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown> & { event: string });
}

/** The container ffprobe reads in a file (`mov,mp4,…`, `mpegts`, `hls`, …). */
export function formatName(path: string): string {
  const r = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'format=format_name', '-of', 'default=nw=1:nk=1', path], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffprobe ${path}: ${r.stderr}`);
  return r.stdout.trim();
}

/** Frames ffprobe counted in the first stream of a type, from `streams()` of test/support/media. */
export function countOf(s: ReadonlyArray<{ codec_type?: string; nb_read_frames?: string }>, type: string): number {
  return Number(s.find((x) => x.codec_type === type)?.nb_read_frames);
}
