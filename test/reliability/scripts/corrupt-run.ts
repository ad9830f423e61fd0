/**
 * Runs corrupted inputs through the library pipeline (decodeFile → Encoder →
 * Rescaler → Muxer to an MP4 file), one after another, in this process, so
 * that a native crash is this process's death, which the test sees and pins
 * on the variant it had started. Reports on stdout, one JSON line each:
 *   {"start": NAME}                                  before each variant
 *   {"name", "outcome": "ok"}                        it transcoded
 *   {"name", "outcome": "error", "typed", "code", "error"}  it failed (code: the BeamflowError code, else the error's name)
 *   {"name", "outcome": "hang", "states"}            it did not settle within the deadline; then this process exits 3
 *   {"unhandled", "during"}                          an unhandled rejection or exception
 * and a `--- variant NAME` line on stderr before each, so that FFmpeg's log in a
 * crash report can be read per variant.
 *
 *   node --import tsx test/reliability/scripts/corrupt-run.ts LIST.json DEADLINE_MS
 *   LIST.json: [{ "name", "path", "out", "video": bool, "audio": bool }]
 */
import { readFileSync } from 'node:fs';
import type { Duplex, Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BeamflowError, decodeFile } from '@beamflow/core';
import { Encoder } from '@beamflow/encoder';
import { Muxer, Rescaler } from '@beamflow/muxer';

interface Variant {
  name: string;
  path: string;
  out: string;
  video: boolean;
  audio: boolean;
}

const variants = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Variant[];
const deadlineMs = Number(process.argv[3] ?? 20_000);
let current = '';

const say = (o: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(o)}\n`);
process.on('unhandledRejection', (e) => say({ unhandled: `unhandledRejection: ${describe(e)}`, during: current }));
process.on('uncaughtException', (e) => say({ unhandled: `uncaughtException: ${describe(e)}`, during: current }));

function describe(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

function failure(e: unknown): Record<string, unknown> {
  const typed = BeamflowError.isInstance(e);
  const code = typed ? e.code : e instanceof Error ? ((e as { code?: unknown }).code ?? e.name) : typeof e;
  return { outcome: 'error', typed, code, error: describe(e) };
}

/** Resolves when `p` settles or `ms` pass: 'late' then. */
function within<T>(p: Promise<T>, ms: number): Promise<T | 'late'> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), ms)))]).finally(() => clearTimeout(timer));
}

async function one(v: Variant): Promise<Record<string, unknown>> {
  let stages: Array<Readable | Duplex | Writable>;
  try {
    // An audio-only input is asked for no video: its cover art, if any, is not a picture to encode.
    const source = decodeFile(v.path, v.video ? {} : { video: false });
    stages = [
      source,
      new Encoder({
        ...(v.video ? { video: { codec: 'h264', preset: 'ultrafast', threads: 1 } } : {}),
        ...(v.audio ? { audio: { codec: 'aac' } } : {}),
      }),
      new Rescaler(),
      new Muxer({ format: 'mp4', output: v.out }),
    ];
  } catch (e) {
    // Refused before anything ran (a file too short to open, say): the same typed-error rule.
    return failure(e);
  }
  const run = pipeline(stages as unknown as [Readable, Writable]).then(() => ({ outcome: 'ok' }), failure);
  const states = (): unknown => stages.map((s) => ({ destroyed: s.destroyed, closed: s.closed }));
  const result = await within(run, deadlineMs);
  if (result === 'late') return { outcome: 'hang', states: states() };
  // Settled is not done: every stage must also release its native resources and close.
  const closed = await within(Promise.all(stages.map((s) => (s.closed ? undefined : new Promise((r) => s.once('close', r))))), deadlineMs);
  if (closed === 'late') return { outcome: 'hang', after: result, states: states() };
  return result;
}

for (const v of variants) {
  current = v.name;
  say({ start: v.name });
  console.error(`--- variant ${v.name}`);
  const r = await one(v);
  say({ name: v.name, ...r });
  // A pipeline that never settled may still hold native calls: nothing after it in this process is trustworthy.
  if (r.outcome === 'hang') process.exit(3);
}
