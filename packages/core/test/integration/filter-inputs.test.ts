/**
 * A Filter graph with extra inputs, as a stage: each input is read only as far
 * as the pipeline's own stream has come (a long input is not read to its end),
 * labels that lead nowhere are ConfigErrors naming them, an input's error
 * fails the Filter with that error, and a Filter torn down at any point
 * destroys its inputs and leaves no native object behind. (The frames against
 * ffmpeg -filter_complex: packages/encoder/test/integration/filter-inputs.test.ts.)
 */
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { ConfigError, Filter, decodeFile, demuxFile, fromFrames, testPattern, type Envelope, type FrameEnvelope, type StreamDescriptor } from '@beamflow/core';
import { ffmpeg, outcome, tempDir } from '../../../../test/support/media.js';
import { expectNoNativeLeaks } from '../../../../test/support/leak-hooks.js';

expectNoNativeLeaks();

const dir = tempDir('filter-inputs-core');
const long = join(dir, 'long.mp4');
ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=64x36:rate=25', '-t', '20', '-c:v', 'libx264', '-preset', 'ultrafast', long]);

const video = (frames: number, size: [number, number] = [160, 90]) => testPattern({ video: { width: size[0], height: size[1], frameRate: 25 }, frames });

/** A source that counts the frames taken from it (a high-water mark of one: what is counted is what was asked for). */
function counted(src: Readable): { source: Readable; taken: () => number } {
  let n = 0;
  async function* envelopes(): AsyncGenerator<Envelope> {
    for await (const e of src as AsyncIterable<Envelope>) {
      if (e.type === 'frame') n++;
      yield e;
    }
  }
  return { source: fromFrames(envelopes(), { highWaterMark: 1 }), taken: () => n };
}

async function collect(src: Readable, filter: Filter): Promise<Envelope[]> {
  const out: Envelope[] = [];
  await pipeline(src, filter, new Writable({ objectMode: true, write: (e: Envelope, _enc, cb) => { out.push(e); cb(); } }));
  return out;
}

const frames = (items: Envelope[]): FrameEnvelope[] => items.filter((e): e is FrameEnvelope => e.type === 'frame');

/**
 * Whether a stream gets destroyed: pipeline() can settle a few turns before a stage's own
 * teardown reaches it, so wait for its close (one that never comes fails at the deadline).
 */
async function destroyedSoon(s: Readable): Promise<boolean> {
  if (!s.destroyed) {
    const deadline = new Promise((resolve) => setTimeout(resolve, 10_000).unref());
    await Promise.race([once(s, 'close'), deadline]);
  }
  return s.destroyed;
}

function configErrorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe('BEAMFLOW_CONFIG');
    return err as ConfigError;
  }
  throw new Error('no ConfigError');
}

describe('Filter inputs: reading as the graph needs', () => {
  it('an input far longer than the stream is read only as far as the stream goes, frame by frame', async () => {
    const second = counted(video(3000, [64, 36]));
    const main = counted(video(20));
    const filter = new Filter({ video: '[in][pip]overlay=8:8', inputs: { pip: second.source } });
    let out = 0;
    let ahead = 0;
    await pipeline(main.source, filter, new Writable({
      objectMode: true,
      write: (e: Envelope, _enc, cb) => {
        if (e.type === 'frame') {
          out++;
          // What the input was read to, against what came out: a frame or two of lookahead and buffers.
          ahead = Math.max(ahead, second.taken() - out);
        }
        cb();
      },
    }));
    expect(out).toBe(20);
    expect(ahead).toBeLessThanOrEqual(4);
    expect(second.taken()).toBeLessThanOrEqual(24);
    expect(await destroyedSoon(second.source)).toBe(true);
  });

  it('a decoded file as the input is not read to its end, and is closed when the stream ends', async () => {
    const file = decodeFile(long);
    const input = counted(file);
    const out = await collect(video(10), new Filter({ video: '[in][pip]overlay', inputs: { pip: input.source } }));
    expect(frames(out)).toHaveLength(10);
    // 10 frames of the file's 500, and the decoder's lookahead.
    expect(input.taken()).toBeLessThanOrEqual(14);
    expect(await destroyedSoon(input.source)).toBe(true);
    expect(await destroyedSoon(file)).toBe(true);
  });

  it('the output descriptor is the graph\'s (hstack doubles the width), sent before the first frame', async () => {
    const out = await collect(video(5), new Filter({ video: '[in][right]hstack', inputs: { right: video(5) } }));
    const first = out.findIndex((e) => e.type === 'frame');
    const d = out.slice(0, first).filter((e): e is StreamDescriptor => e.type === 'stream').at(-1)!;
    expect(d.codecpar).toMatchObject({ width: 320, height: 90 });
    expect(frames(out).map((f) => [f.frame.width, f.frame.height])).toEqual(Array.from({ length: 5 }, () => [320, 90]));
  });

  it('labels as -filter_complex writes them: an implied [in], a labelled output, sws_flags, [in] alone, a chain\'s own links', async () => {
    for (const spec of ['scale=80:46[s];[s][logo]overlay', '[in][logo]overlay[v]', 'sws_flags=neighbor;[logo]scale=16:8[l];[in][l]overlay']) {
      const out = await collect(video(3), new Filter({ video: spec, inputs: { logo: video(1, [32, 18]) } }));
      expect(frames(out), spec).toHaveLength(3);
    }
    const flipped = await collect(video(3), new Filter({ video: '[in]hflip' }));
    expect(frames(flipped)).toHaveLength(3);
    // Labels that only link a chain's own filters keep it a plain chain, as before.
    const doubled = await collect(video(3), new Filter({ video: 'split[a][b];[a][b]hstack' }));
    expect(frames(doubled).map((f) => f.frame.width)).toEqual([320, 320, 320]);
  });

  it('a one-frame input is ended in the graph, and overlay repeats it on every frame', async () => {
    const plain = frames(await collect(video(4), new Filter({ video: 'null' })));
    const logo = fromFrames((async function* () {
      for await (const e of video(1, [32, 18]) as AsyncIterable<Envelope>) yield e;
    })());
    const out = frames(await collect(video(4), new Filter({ video: '[in][logo]overlay', inputs: { logo } })));
    expect(out).toHaveLength(4);
    // The top-left corner differs from the plain frame on every frame, the last included.
    const corner = (f: FrameEnvelope): string => (f.frame.data[0] as Buffer).subarray(0, 16).toString('hex');
    out.forEach((f, i) => expect(corner(f)).not.toBe(corner(plain[i]!)));
  });
});

describe('Filter inputs: mistakes', () => {
  it('a label with no input of that name, or an input no chain uses, is a ConfigError naming it', () => {
    const noInput = configErrorOf(() => new Filter({ video: '[in][foo]overlay' }));
    expect(noInput.field).toBe('video');
    expect(noInput.allowed).toEqual(['in']);
    const logo = video(1, [32, 18]);
    const other = configErrorOf(() => new Filter({ video: '[in][foo]overlay', inputs: { logo } }));
    expect(other.field).toBe('video');
    expect(other.allowed).toEqual(['in', 'logo']);
    expect(configErrorOf(() => new Filter({ video: 'hflip', inputs: { logo } })).field).toBe('inputs.logo');
    expect(configErrorOf(() => new Filter({ video: '[in]hflip', audio: '[in]volume=0.5', inputs: { logo } })).field).toBe('inputs.logo');
    // A refused Filter takes nothing: the caller's stream is as it was.
    expect(logo.destroyed).toBe(false);
    expect(logo.listenerCount('error')).toBe(0);
    logo.destroy();
  });

  it('wiring FFmpeg would refuse: an input on two pads, two loose outputs, no [in], bad labels, not a stream', () => {
    const a = video(1);
    const b = video(1);
    expect(configErrorOf(() => new Filter({ video: '[in][a]overlay[x];[x][a]overlay', inputs: { a } })).field).toBe('video');
    expect(configErrorOf(() => new Filter({ video: '[in]split[x][y]' })).field).toBe('video');
    expect(configErrorOf(() => new Filter({ video: '[a]scale=8:8[s];[s][b]overlay', inputs: { a, b } })).field).toBe('video');
    expect(configErrorOf(() => new Filter({ video: '[in][in]overlay' })).field).toBe('video');
    expect(configErrorOf(() => new Filter({ video: '[in][a]overlay', inputs: { a, in: b } })).field).toBe('inputs.in');
    expect(configErrorOf(() => new Filter({ video: '[in][a]overlay', inputs: { a, 'b:v': b } })).field).toBe('inputs.b:v');
    expect(configErrorOf(() => new Filter({ video: '[in][a]overlay', inputs: { a: 'logo.png' as unknown as Readable } })).field).toBe('inputs.a');
    expect(configErrorOf(() => new Filter({ video: '[in][a][b]overlay', inputs: { a, b: a } })).field).toBe('inputs.b');
    // Filter names and options are checked in graphs as in chains.
    const misspelt = configErrorOf(() => new Filter({ video: '[in][a]overlayy', inputs: { a } }));
    expect(misspelt.field).toBe('video');
    expect(misspelt.allowed).toContain('overlay');
    a.destroy();
    b.destroy();
  });

  it('an input without frames of the graph\'s kind is a ConfigError on that input', async () => {
    const music = testPattern({ audio: { sampleRate: 48000, channels: 2 }, duration: 1 });
    const res = await outcome(collect(video(3), new Filter({ video: '[in][music]overlay', inputs: { music } })));
    expect(res.ok).toBe(false);
    const err = (res as { error: ConfigError }).error;
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.field).toBe('inputs.music');
    expect(await destroyedSoon(music)).toBe(true);
  });

  it('a graph with inputs takes one stream of its kind: a second is a ConfigError on inputs', async () => {
    const two = fromFrames((async function* () {
      for await (const e of video(3) as AsyncIterable<Envelope>) {
        yield e;
        if (e.type === 'stream') yield { ...e, streamId: 7 };
      }
    })());
    const res = await outcome(collect(two, new Filter({ video: '[in][a]overlay', inputs: { a: video(3) } })));
    expect((res as { error: ConfigError }).error).toMatchObject({ code: 'BEAMFLOW_CONFIG', field: 'inputs' });
  });
});

describe('Filter inputs: errors and teardown', () => {
  it('an input that fails part way fails the Filter with its error', async () => {
    const boom = new Error('the second source broke');
    const failing = fromFrames((async function* () {
      let n = 0;
      for await (const e of video(100) as AsyncIterable<Envelope>) {
        if (e.type === 'frame' && ++n > 3) throw boom;
        yield e;
      }
    })());
    const filter = new Filter({ video: '[in][b]overlay', inputs: { b: failing } });
    const res = await outcome(collect(video(20), filter));
    expect(res).toEqual({ ok: false, error: boom });
    expect(filter.destroyed).toBe(true);
  });

  it('an input that fails while nobody reads it fails the Filter with its error', async () => {
    const boom = new Error('the input failed between reads');
    const input = new PassThrough({ objectMode: true });
    for await (const e of video(1) as AsyncIterable<Envelope>) input.write(e);
    let resume: () => void = () => undefined;
    const held = new Promise<void>((r) => (resume = r));
    // The stream stops after two frames, so the Filter waits on it, not on the input.
    const main = fromFrames((async function* () {
      let n = 0;
      for await (const e of video(10) as AsyncIterable<Envelope>) {
        if (e.type === 'frame' && ++n === 3) await held;
        yield e;
      }
    })());
    const filter = new Filter({ video: '[in][b]overlay', inputs: { b: input } });
    const run = outcome(collect(main, filter));
    setTimeout(() => input.destroy(boom), 200);
    const res = await run;
    resume();
    expect(res).toEqual({ ok: false, error: boom });
  });

  it('an input that cannot be read fails with its own typed error: a file that is not media, packets instead of frames', async () => {
    const garbage = join(dir, 'garbage.mp4');
    writeFileSync(garbage, 'not media at all, just words in a file\n'.repeat(50));
    const notMedia = await outcome(collect(video(3), new Filter({ video: '[in][b]overlay', inputs: { b: decodeFile(garbage) } })));
    expect((notMedia as { error: { code: string } }).error.code).toBe('BEAMFLOW_INPUT');
    const packets = await outcome(collect(video(3), new Filter({ video: '[in][b]overlay', inputs: { b: demuxFile(long) } })));
    expect((packets as { error: { code: string } }).error.code).toBe('BEAMFLOW_INPUT');
  });

  it('destroyed mid-stream, the Filter destroys its inputs and releases every native object', async () => {
    const input = decodeFile(long);
    const filter = new Filter({ video: '[pip]scale=32:18[s];[in][s]overlay', inputs: { pip: input } });
    let n = 0;
    const res = await outcome(pipeline(video(200), filter, new Writable({
      objectMode: true,
      write: (e: Envelope, _enc, cb) => cb(e.type === 'frame' && ++n === 5 ? new Error('enough') : null),
    })));
    expect(res.ok).toBe(false);
    expect(filter.destroyed).toBe(true);
    // pipeline() settles before a middle stage's destroy has finished: its resources go at 'close'.
    if (!filter.closed) await new Promise((resolve) => filter.once('close', resolve));
    expect(input.destroyed).toBe(true);
  });

  it('destroyed before any frame, the Filter destroys its inputs', async () => {
    const input = decodeFile(long);
    const filter = new Filter({ video: '[in][pip]overlay', inputs: { pip: input } });
    filter.destroy();
    await once(filter, 'close');
    expect(input.destroyed).toBe(true);
  });
});
