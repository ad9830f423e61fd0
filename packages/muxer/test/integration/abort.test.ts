/**
 * End of stream, errors, abort (DESIGN.md): an aborted pipeline with a file
 * output finalizes what it has — the file gets its trailer, plays, and holds
 * every packet muxed before the abort; a failing sink rejects the pipeline
 * with its own error and nothing hangs.
 */
import { createWriteStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { Encoder } from '@beamflow/encoder';
import { Muxer, Rescaler } from '@beamflow/muxer';
import { decodeErrors, packets, probe } from '../probe.js';
import { H264_AAC, H264_LOSSLESS_AAC, avSource, muxerClosed, noise, outcome, tap, tempDir } from './harness.js';
import type { Tap } from './harness.js';
import { prng } from '../../../../test/support/prng.js';
import { expectNoNativeLeaks } from '../../../../test/support/leak-hooks.js';

expectNoNativeLeaks();

const dir = tempDir('abort');

const SEED = Number(process.env.BEAMFLOW_TEST_SEED ?? 20240611);
const rnd = prng(SEED);
// A 4 s input makes about 100 video + 190 audio packets; abort somewhere in the first 220, and right at the start.
const POINTS = [1, ...Array.from({ length: 6 }, () => 2 + Math.floor(rnd() * 219))];

function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: still pending after ${ms} ms (hang)`)), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

interface AbortRun {
  k: number;
  path: string;
  /** Muxer.packetsWritten when abort() was called. */
  before: number;
  sent: Tap;
}

describe(`abort with a file output (seed ${SEED}, points ${POINTS.join(', ')})`, () => {
  const runs: AbortRun[] = [];

  it('rejects with AbortError after k muxed packets, the Muxer closes, nothing hangs', async () => {
    for (const k of POINTS) {
      const path = join(dir, `abort-${k}.mp4`);
      const ac = new AbortController();
      const muxer = new Muxer({ format: 'mp4', output: path });
      const rescaler = new Rescaler();
      let before = -1;
      const sent = tap(rescaler, () => {
        if (before < 0 && muxer.packetsWritten >= k) {
          before = muxer.packetsWritten;
          ac.abort();
        }
      });
      const res = await withDeadline(
        outcome(pipeline(avSource(4), new Encoder(H264_AAC), rescaler, muxer, { signal: ac.signal })),
        30_000, `pipeline aborted at ${k}`,
      );
      expect(res.ok, `aborted at ${k}`).toBe(false);
      expect(!res.ok && (res.error as Error).name, `aborted at ${k}`).toBe('AbortError');
      expect(before, `abort point ${k} reached`).toBeGreaterThanOrEqual(k);
      // pipeline() settles on the abort without waiting for the Muxer's release (its trailer): wait for close.
      await withDeadline(muxerClosed(muxer), 10_000, `Muxer close after abort at ${k}`);
      expect(muxer.destroyed).toBe(true);
      expect(muxer.state).toBe('closed');
      expect(muxer.packetsWritten).toBeGreaterThanOrEqual(before);
      expect(existsSync(path)).toBe(true);
      // Only numbers are kept for the next test: a kept stage would keep its pipeline's frames alive.
      runs.push({ k, path, before, sent });
    }
    expect(runs).toHaveLength(POINTS.length);
  });

  it('each aborted MP4 has its trailer: readable, decodes without errors, holds every packet muxed before the abort', () => {
    expect(runs).toHaveLength(POINTS.length);
    for (const r of runs) {
      const what = `aborted at ${r.k} (${r.before} packets muxed)`;
      const pr = probe(r.path);
      expect(decodeErrors(r.path), what).toBe('');
      const inFile = packets(r.path).length;
      expect(inFile, what).toBeGreaterThanOrEqual(r.before);
      const frames = pr.streams.reduce((n, s) => n + Number(s.nb_read_frames ?? 0), 0);
      // The MP4 edit list hides the AAC priming frame: at most one muxed packet decodes to nothing.
      expect(frames, what).toBeGreaterThanOrEqual(r.before - 1);
      if (r.before >= 3) expect(frames, what).toBeGreaterThanOrEqual(1);
    }
  });

  it('destroy() of the Muxer without an error (a destroyed sink) writes the trailer: the file plays', async () => {
    const path = join(dir, 'destroyed.mp4');
    const muxer = new Muxer({ format: 'mp4', output: path });
    const rescaler = new Rescaler();
    let before = -1;
    tap(rescaler, () => {
      if (before < 0 && muxer.packetsWritten >= 40) {
        before = muxer.packetsWritten;
        muxer.destroy();
      }
    });
    const res = await withDeadline(outcome(pipeline(avSource(4), new Encoder(H264_AAC), rescaler, muxer)), 30_000, 'pipeline');
    expect(res.ok).toBe(false);
    await withDeadline(muxerClosed(muxer), 10_000, 'Muxer close');
    expect(before).toBeGreaterThanOrEqual(40);
    expect(decodeErrors(path)).toBe('');
    expect(packets(path).length).toBeGreaterThanOrEqual(before);
    const frames = probe(path).streams.reduce((n, s) => n + Number(s.nb_read_frames ?? 0), 0);
    expect(frames).toBeGreaterThanOrEqual(before - 1);
  });
});

describe('abort and errors with byte output', () => {
  it('an AbortSignal rejects the pipeline with AbortError; the Muxer releases and closes', async () => {
    const ac = new AbortController();
    const muxer = new Muxer({ format: 'mpegts' });
    const rescaler = new Rescaler();
    tap(rescaler, (t) => {
      if (t.video + t.audio === 30) ac.abort();
    });
    const res = await withDeadline(
      outcome(pipeline(avSource(4), new Encoder(H264_AAC), rescaler, muxer, createWriteStream(join(dir, 'aborted.ts')), { signal: ac.signal })),
      30_000, 'pipeline',
    );
    expect(!res.ok && (res.error as Error).name).toBe('AbortError');
    await withDeadline(muxerClosed(muxer), 10_000, 'Muxer close');
    expect(muxer.state).toBe('closed');
  });

  for (const failAt of [1, 5]) {
    for (const format of ['mpegts', 'mp4']) {
      it(`a sink that fails at chunk ${failAt} (${format}) rejects the pipeline with its own error; nothing hangs`, async () => {
        const sinkError = new Error(`disk full at chunk ${failAt}`);
        let chunks = 0;
        const sink = new Writable({
          highWaterMark: 1024,
          write(_chunk: Buffer, _enc, cb) {
            chunks++;
            if (chunks === failAt) cb(sinkError);
            else setImmediate(cb);
          },
        });
        const encoder = new Encoder(H264_LOSSLESS_AAC);
        const muxer = new Muxer({ format });
        // Lossless noise: about 1 MB, so the sink sees many 64 KiB chunks (mpegts) before the end.
        const res = await withDeadline(
          outcome(pipeline(avSource(2), noise(), encoder, new Rescaler(), muxer, sink)),
          30_000, 'pipeline with a failing sink',
        );
        expect(chunks).toBe(failAt);
        expect(res.ok).toBe(false);
        expect(!res.ok && res.error).toBe(sinkError);
        await withDeadline(muxerClosed(muxer), 10_000, 'Muxer close');
        await withDeadline(encoder.close(), 10_000, 'Encoder close');
        expect(muxer.state).toBe('closed');
        expect(encoder.state).toBe('closed');
      });
    }
  }
});
