/**
 * An AbortSignal at 50 random points of a file-output pipeline (every file
 * finalized and decoding cleanly), and 8 pipelines at once (more native calls
 * in flight than libuv's default 4 threads: all complete, each output right).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Transform, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { Scaler, decodeFile, testPattern, type Envelope } from '@beamflow/core';
import { Encoder } from '@beamflow/encoder';
import { Muxer, Rescaler } from '@beamflow/muxer';
import { decodeErrors, ffmpeg, prng, streams, tempDir } from '../support/media.js';
import { expectNoNativeLeaks } from '../support/leak-hooks.js';

expectNoNativeLeaks();

const dir = tempDir('abort50');
const SEED = Number(process.env.BEAMFLOW_TEST_SEED ?? 20261124);

describe(`abort at 50 random points of a file-output pipeline (seed ${SEED})`, () => {
  it('every output file is finalized and decodes without errors', async () => {
    const rnd = prng(SEED);
    for (let i = 0; i < 50; i++) {
      const out = join(dir, `abort-${i}.mp4`);
      const ac = new AbortController();
      // 2 s at 25 fps plus AAC: about 145 packets; abort after 0..150 of them (past the end: no abort).
      const at = Math.floor(rnd() * 150);
      let seen = 0;
      const counter = new Transform({
        objectMode: true,
        transform(e: Envelope, _enc, cb) {
          if (e.type === 'packet' && ++seen === at) ac.abort();
          cb(null, e);
        },
      });
      const muxer = new Muxer({ format: 'mp4', output: out });
      const stages = [
        testPattern({ video: { width: 64, height: 36, frameRate: 25 }, audio: { sampleRate: 48000, channels: 1 }, duration: 2 }),
        new Encoder({ video: { codec: 'h264', preset: 'ultrafast', threads: 1 }, audio: { codec: 'aac' } }),
        counter, new Rescaler(), muxer,
      ];
      const err = await pipeline(stages as unknown as [Readable, Writable], { signal: ac.signal }).then(() => undefined, (e: unknown) => e);
      // The trailer is written in the Muxer's release: wait for its 'close', whatever it emitted before.
      const what = `run ${i}, abort after packet ${at}`;
      if (ac.signal.aborted && !muxer.closed) {
        // The timer is cleared: a pending one would keep the pipeline, and its frames, alive.
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          new Promise((resolve) => muxer.once('close', resolve)),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`${what}: the Muxer never closed (state ${muxer.state}, destroyed ${muxer.destroyed}, error ${String(err)})`)), 10_000);
          }),
        ]).finally(() => clearTimeout(timer));
      }
      if (ac.signal.aborted) expect((err as Error).name, what).toBe('AbortError');
      else expect(err, what).toBeUndefined();
      if (muxer.packetsWritten > 0) expect(decodeErrors(out), what).toBe('');
      else if (existsSync(out)) {
        // Aborted after the header and before the first packet reached the file: a finalized MP4
        // with empty tracks (as ffmpeg leaves when stopped that early). ffprobe must open it
        // cleanly; ffmpeg has nothing to decode and says so.
        const probe = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'format=format_name', '-of', 'csv=p=0', out], { encoding: 'utf8' });
        expect(probe.status === 0 && probe.stderr === '' ? probe.stdout.trim() : `${String(probe.status)}: ${probe.stderr}`, what).toMatch(/mp4/);
      } // else aborted before the header: no packet was ever muxed, so no file is the right outcome
      // Fewer than ~40 packets sit in the stages' queues between the counter and the Muxer.
      if (at > 100) expect(Number(streams(out).find((s) => s.codec_type === 'video')?.nb_read_frames ?? 0), what).toBeGreaterThan(0);
    }
  }, 180_000);
});

describe('8 pipelines at once', () => {
  it('all complete, each output correct', async () => {
    const input = join(dir, 'in.mp4');
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=25', '-f', 'lavfi', '-i', 'sine=sample_rate=48000', '-t', '2', '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', input]);
    const one = (i: number): Promise<void> => pipeline(
      decodeFile(input), new Scaler({ width: 160, height: 90 }),
      new Encoder({ video: { codec: 'h264', preset: 'veryfast' }, audio: { codec: 'aac' } }),
      new Rescaler(), new Muxer({ format: 'mp4', output: join(dir, `par-${i}.mp4`) }),
    );
    let t0 = performance.now();
    await one(99);
    const single = performance.now() - t0;
    t0 = performance.now();
    await Promise.all(Array.from({ length: 8 }, (_, i) => one(i)));
    const all = performance.now() - t0;
    for (let i = 0; i < 8; i++) {
      const out = join(dir, `par-${i}.mp4`);
      const s = streams(out);
      expect(s.map((x) => x.codec_name)).toEqual(['h264', 'aac']);
      expect(s[0]).toMatchObject({ width: 160, height: 90, nb_read_frames: '50' });
      expect(decodeErrors(out)).toBe('');
    }
    // Reported, not asserted (tests never time things): 8 on this machine's cores versus one alone.
    console.log(`8 pipelines: ${all.toFixed(0)} ms; one alone: ${single.toFixed(0)} ms (${(all / single).toFixed(1)}×)`);
  }, 120_000);
});
