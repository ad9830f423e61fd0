/**
 * Bad input and sink faults through whole pipelines (decodeFile or the test
 * pattern → Encoder → Rescaler → Muxer → sink): each a typed error, no crash,
 * nothing hangs, every stage destroyed; the error a failing sink raises is the
 * one the user gets.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable, type Duplex, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { BeamflowError, decodeFile, fromFrames, testPattern, type Envelope } from '@beamflow/core';
import { Encoder } from '@beamflow/encoder';
import { Muxer, Rescaler } from '@beamflow/muxer';
import { decodeErrors, ffmpeg, streams, tempDir } from '../support/media.js';
import { expectNoNativeLeaks } from '../support/leak-hooks.js';

expectNoNativeLeaks();

const dir = tempDir('reliability');
const H264_AAC = { video: { codec: 'h264', preset: 'ultrafast', threads: 1 }, audio: { codec: 'aac' } } as const;

async function settle(stages: Array<Readable | Duplex | Writable>, run: Promise<void>): Promise<unknown> {
  const deadline = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('pipeline hung')), 30_000).unref());
  const err = await Promise.race([run.then(() => undefined, (e: unknown) => e), deadline]);
  await Promise.all(stages.map((s) => (s.closed ? undefined : new Promise((resolve) => s.once('close', resolve)))));
  for (const s of stages) expect(s.destroyed || ('writableFinished' in s && s.writableFinished) || ('readableEnded' in s && s.readableEnded)).toBe(true);
  return err;
}

function transcode(input: Readable, out: string): { stages: Array<Readable | Duplex | Writable>; run: Promise<void> } {
  const stages = [input, new Encoder(H264_AAC), new Rescaler(), new Muxer({ format: 'mp4', output: out })];
  return { stages, run: pipeline(stages as unknown as [Readable, Writable]) };
}

describe('bad input', () => {
  const good = join(dir, 'good.mp4');
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=128x72:rate=25', '-f', 'lavfi', '-i', 'sine=sample_rate=48000', '-t', '2', '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', good]);

  const cases: Array<[string, () => string, Record<string, unknown>]> = [
    ['a truncated MP4 (moov at the end, cut in half)', () => {
      const p = join(dir, 'truncated.mp4');
      const bytes = readFileSync(good);
      writeFileSync(p, bytes.subarray(0, bytes.length >> 1));
      return p;
    }, {}],
    ['random bytes named .mp4', () => {
      const p = join(dir, 'random.mp4');
      writeFileSync(p, randomBytes(64 << 10));
      return p;
    }, {}],
    ['an empty file', () => {
      const p = join(dir, 'empty.mp4');
      writeFileSync(p, '');
      return p;
    }, {}],
    ['a file with only audio when video is asked', () => {
      const p = join(dir, 'audio-only.m4a');
      ffmpeg(['-f', 'lavfi', '-i', 'sine=sample_rate=48000', '-t', '1', '-c:a', 'aac', p]);
      return p;
    }, { video: true }],
  ];

  for (const [name, make, opts] of cases) {
    it(`${name}: BEAMFLOW_INPUT, every stage destroyed`, async () => {
      const path = make();
      const out = join(dir, `out-${name.length}.mp4`);
      let src: Readable;
      try {
        src = decodeFile(path, opts);
      } catch (err) {
        // Refused before anything opened (the empty file): the same typed error.
        expect(BeamflowError.isInstance(err) && err.code).toBe('BEAMFLOW_INPUT');
        return;
      }
      const { stages, run } = transcode(src, out);
      const err = await settle(stages, run);
      expect(BeamflowError.isInstance(err) && err.code, String(err)).toBe('BEAMFLOW_INPUT');
    });
  }

  it('a frame whose size changes mid-stream: BEAMFLOW_INPUT, and the file holds the frames before it', async () => {
    const frames = async function* (): AsyncGenerator<Envelope> {
      let n = 0;
      for (const [w, h] of [[128, 72], [160, 90]] as const) {
        for await (const e of testPattern({ video: { width: w, height: h, frameRate: 25 }, frames: 10 })) {
          if ((e as Envelope).type !== 'frame') continue;
          const f = (e as Extract<Envelope, { type: 'frame' }>);
          f.frame.pts = n++;
          yield f;
        }
      }
    };
    const out = join(dir, 'size-change.mp4');
    const stages = [fromFrames(frames()), new Encoder({ video: H264_AAC.video }), new Rescaler(), new Muxer({ format: 'mp4', output: out })];
    const err = await settle(stages, pipeline(stages as unknown as [Readable, Writable]));
    expect(BeamflowError.isInstance(err) && err.code, String(err)).toBe('BEAMFLOW_INPUT');
    expect(decodeErrors(out)).toBe('');
    expect(Number(streams(out)[0]!.nb_read_frames)).toBeGreaterThan(0);
  });
});

describe('sink faults', () => {
  for (const code of ['EPIPE', 'ENOSPC']) {
    it(`a sink that fails with ${code} mid-stream: the user gets that error, every stage is destroyed, nothing hangs`, async () => {
      const fault = Object.assign(new Error(`write ${code}`), { code });
      let chunks = 0;
      const sink = new Writable({
        write(_c, _e, cb) {
          if (++chunks === 3) return cb(fault);
          setImmediate(cb);
        },
      });
      const stages = [
        testPattern({ video: { width: 128, height: 72, frameRate: 25 }, audio: { sampleRate: 48000, channels: 2 }, duration: 4 }),
        new Encoder(H264_AAC), new Rescaler(), new Muxer({ format: 'mpegts' }), sink,
      ];
      const err = await settle(stages, pipeline(stages as unknown as [Readable, Writable]));
      expect(err).toBe(fault);
      expect(stages.slice(0, 4).every((s) => s.destroyed)).toBe(true);
    });
  }
});
