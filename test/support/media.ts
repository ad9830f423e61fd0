/**
 * Judging helpers shared by the cross-package suites: ffprobe reads outputs,
 * `ffmpeg -v error -f null -` decodes them in full (a clean file prints
 * nothing), inputs are made with the ffmpeg command line, and scripts run in
 * a child process (a native crash there is an exit signal the test sees,
 * not a dead test worker).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll } from 'vitest';

export const root = resolve(__dirname, '../..');

/** A temporary directory removed after the file's tests (kept with BEAMFLOW_KEEP_TEST_OUTPUT=1). */
export function tempDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `beamflow-${name}-`));
  afterAll(() => {
    if (!process.env.BEAMFLOW_KEEP_TEST_OUTPUT) rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/** The settled outcome of a promise, for asserting on rejections with their details. */
export async function outcome(p: Promise<unknown>): Promise<{ ok: true } | { ok: false; error: unknown }> {
  try {
    await p;
    return { ok: true };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Make an input with the ffmpeg command line (args after `ffmpeg -v error -y`). */
export function ffmpeg(args: string[]): void {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-y', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffmpeg ${args.join(' ')} failed: ${r.stderr}`);
}

/** Streams as ffprobe sees them, every frame counted. */
export function streams(path: string): Array<{ codec_type: string; codec_name: string; width?: number; height?: number; nb_read_frames?: string }> {
  const r = spawnSync('ffprobe', ['-v', 'error', '-count_frames', '-show_streams', '-of', 'json', path], { encoding: 'utf8', maxBuffer: 32 << 20 });
  if (r.status !== 0) throw new Error(`ffprobe ${path} failed: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { streams: ReturnType<typeof streams> }).streams;
}

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Run a TypeScript script of this repository in a child Node (with --expose-gc), up to `timeoutMs`. */
export function runScript(script: string, args: string[] = [], timeoutMs = 120_000): Promise<ChildResult> {
  const tsx = pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href;
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', tsx, script, ...args], { cwd: root, env: { ...process.env, UV_THREADPOOL_SIZE: '16' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not finish within ${timeoutMs} ms (hang); stderr: ${stderr.slice(-2000)}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
}

/** The last line of a child's stdout, parsed as JSON (the scripts report there). */
export function report<T>(r: ChildResult): T {
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1] ?? 'null') as T;
}

export { prng } from './prng.js';
export { decodeErrors } from './probe.js';
