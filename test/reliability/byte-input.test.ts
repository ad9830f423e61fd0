/**
 * Input from Node streams of bytes: `new Demuxer()` fed by a Readable, then
 * `new Decoder()`, judged against decodeFile/demuxFile on the same file and
 * against ffprobe. Also what byte input must not do: read ahead of a slow
 * pipeline without bound, demux an MP4 it would have to seek in, leave a
 * spool file or native objects behind, or fail untyped on bad bytes.
 */
import { createHash } from 'node:crypto';
import { createReadStream, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { BeamflowError, Decoder, Demuxer, decodeFile, demuxFile, type Envelope, type FrameEnvelope } from '@beamflow/core';
import { Encoder } from '@beamflow/encoder';
import { Muxer, Rescaler } from '@beamflow/muxer';
import { decodeErrors, ffmpeg, outcome, streams, tempDir } from '../support/media.js';
import { expectNoNativeLeaks } from '../support/leak-hooks.js';
import { PHONE_MATRICES, setTrackMatrix } from '../support/orientation.js';

expectNoNativeLeaks();

const dir = tempDir('byte-input');
const ts = join(dir, 'in.ts');
ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=128x72:rate=25', '-f', 'lavfi', '-i', 'sine=sample_rate=48000', '-t', '2', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '12', '-c:a', 'aac', ts]);
const faststart = join(dir, 'faststart.mp4');
ffmpeg(['-i', ts, '-c', 'copy', '-movflags', '+faststart', faststart]);
const moovAtEnd = join(dir, 'moov-at-end.mp4');
ffmpeg(['-i', ts, '-c', 'copy', moovAtEnd]);

/** A file as a Readable of small chunks, counting the bytes it was asked for. */
function chunked(path: string, chunk = 4096): Readable & { pulled: number } {
  const bytes = readFileSync(path);
  let at = 0;
  const r = new Readable({
    highWaterMark: chunk,
    read() {
      if (at >= bytes.length) return this.push(null);
      const piece = bytes.subarray(at, at + chunk);
      at += piece.length;
      r.pulled = at;
      this.push(piece);
    },
  }) as Readable & { pulled: number };
  r.pulled = 0;
  return r;
}

async function collect(src: Readable): Promise<Envelope[]> {
  const out: Envelope[] = [];
  for await (const e of src) out.push(e as Envelope);
  return out;
}

/**
 * Frames stream by stream: pts and a hash of the pixels or samples. (How the streams interleave
 * depends on how many packets each read takes, which differs between a file and bytes.)
 */
function fingerprint(envs: Envelope[]): string[] {
  return envs
    .filter((e): e is FrameEnvelope => e.type === 'frame')
    .sort((a, b) => a.streamId - b.streamId)
    .map((e) => {
      const h = createHash('md5');
      for (const plane of e.frame.data as Buffer[]) h.update(plane);
      return `${e.streamId}:${String(e.frame.pts)}:${h.digest('hex')}`;
    });
}

async function errorOf(p: Promise<unknown>): Promise<unknown> {
  const r = await outcome(p);
  return r.ok ? undefined : r.error;
}

describe('Demuxer and Decoder on bytes', () => {
  it('an MPEG-TS read from a Readable decodes to exactly the frames decodeFile gives', async () => {
    const fromBytes = await collect(chunked(ts).pipe(new Demuxer()).pipe(new Decoder()));
    const fromFile = await collect(decodeFile(ts));
    expect(fromBytes.filter((e) => e.type === 'stream').map((e) => e.type === 'stream' && [e.kind, e.codecpar.name, e.coded])).toEqual([
      ['video', 'rawvideo', false],
      ['audio', 'pcm', false],
    ]);
    const fp = fingerprint(fromBytes);
    expect(fp.length).toBeGreaterThan(50 + 90);
    expect(fp).toEqual(fingerprint(fromFile));
  });

  it('new Demuxer({ input }) is demuxFile: the same packets', async () => {
    const size = (envs: Envelope[]) => envs.map((e) => (e.type === 'packet' ? `${e.streamId}:${String(e.packet.pts)}:${e.packet.size}` : e.type));
    expect(size(await collect(new Demuxer({ input: ts })))).toEqual(size(await collect(demuxFile(ts))));
  });

  it('an HTTP-style upload of an MP4 with its index first transcodes as it arrives; ffprobe reads a clean MP4', async () => {
    const out = join(dir, 'from-bytes.mp4');
    await pipeline(
      chunked(faststart, 1500),
      new Demuxer(),
      new Decoder(),
      new Encoder({ video: { codec: 'h264', preset: 'ultrafast', threads: 1 }, audio: { codec: 'aac' } }),
      new Rescaler(),
      new Muxer({ format: 'mp4', output: out }),
    );
    const s = streams(out);
    expect(s.map((x) => x.codec_type)).toEqual(['video', 'audio']);
    expect(Number(s[0]!.nb_read_frames)).toBe(50);
    expect(decodeErrors(out)).toBe('');
  });

  it('stream copy from bytes: Demuxer → Rescaler → Muxer keeps every packet', async () => {
    const out = join(dir, 'copy.mkv');
    await pipeline(createReadStream(ts), new Demuxer(), new Rescaler(), new Muxer({ format: 'matroska', output: out }));
    const s = streams(out);
    expect(s.map((x) => [x.codec_type, x.codec_name])).toEqual([['video', 'h264'], ['audio', 'aac']]);
    expect(Number(s[0]!.nb_read_frames)).toBe(50);
    expect(decodeErrors(out)).toBe('');
  });

  it('an MP4 whose index is at its end is an InputError saying why and what to do; nothing is left open', async () => {
    const err = await errorOf(pipeline(chunked(moovAtEnd), new Demuxer(), new Writable({ objectMode: true, write: (_e, _enc, cb) => cb() })));
    expect(BeamflowError.isInstance(err) && err.code, String(err)).toBe('BEAMFLOW_INPUT');
    expect(String(err)).toMatch(/spool/);
  });

  it('with spool: true the same MP4 decodes in full, and the spool file is gone afterwards', async () => {
    const spools = () => readdirSync(tmpdir()).filter((n) => n.startsWith('beamflow-spool-')).length;
    const before = spools();
    const fromBytes = await collect(chunked(moovAtEnd).pipe(new Demuxer({ spool: true })).pipe(new Decoder()));
    expect(fingerprint(fromBytes)).toEqual(fingerprint(await collect(decodeFile(moovAtEnd))));
    expect(spools()).toBe(before);
  });

  it('a spooling Demuxer destroyed mid-upload removes its spool file', async () => {
    const spools = () => readdirSync(tmpdir()).filter((n) => n.startsWith('beamflow-spool-')).length;
    const before = spools();
    const src = chunked(moovAtEnd, 1024);
    const dm = new Demuxer({ spool: true });
    src.pipe(dm);
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if (src.pulled > statSync(moovAtEnd).size / 2) {
          clearInterval(t);
          resolve();
        }
      }, 1);
    });
    expect(spools()).toBe(before + 1);
    dm.destroy();
    await new Promise((resolve) => dm.once('close', resolve));
    expect(spools()).toBe(before);
  });

  it('a slow pipeline holds the upload back: a large body is pulled only as far as the Demuxer’s bound, then flows to the end', async () => {
    // 200 frames of 320x240 raw video in Y4M: about 23 MB.
    const big = join(dir, 'big.y4m');
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25', '-frames:v', '200', '-pix_fmt', 'yuv420p', big]);
    const total = statSync(big).size;
    const src = chunked(big, 64 << 10);
    const dm = new Demuxer();
    src.pipe(dm);
    // Nobody reads the Demuxer: once the source has stopped being pulled, it is far behind the file's end.
    let last = -1;
    while (src.pulled !== last) {
      last = src.pulled;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(src.pulled).toBeLessThan(8 << 20);
    expect(src.pulled).toBeLessThan(total / 2);
    // Reading now takes everything through.
    const envs = await collect(dm);
    expect(envs.filter((e) => e.type === 'packet')).toHaveLength(200);
    expect(src.pulled).toBe(total);
  });

  it('eight uploads at once each decode in full', async () => {
    const runs = Array.from({ length: 8 }, async () => fingerprint(await collect(chunked(ts, 2048).pipe(new Demuxer()).pipe(new Decoder()))).length);
    const counts = await Promise.all(runs);
    expect(new Set(counts).size).toBe(1);
    expect(counts[0]).toBeGreaterThan(140);
  });

  it('a body cut short: the transcode ends with what arrived, and the MP4 is finalized and clean', async () => {
    const bytes = readFileSync(ts);
    const cut = join(dir, 'cut.ts');
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const out = join(dir, 'cut.mp4');
    await pipeline(
      createReadStream(cut),
      new Demuxer(),
      new Decoder(),
      new Encoder({ video: { codec: 'h264', preset: 'ultrafast', threads: 1 }, audio: { codec: 'aac' } }),
      new Rescaler(),
      new Muxer({ format: 'mp4', output: out }),
    );
    const frames = Number(streams(out)[0]!.nb_read_frames);
    expect(frames).toBeGreaterThan(10);
    expect(frames).toBeLessThan(50);
    expect(decodeErrors(out)).toBe('');
  });

  it('bytes that are not media, and an empty body, are InputErrors', async () => {
    const noise = Readable.from([Buffer.alloc(200_000, 0x5a)]);
    const e1 = await errorOf(collect(noise.pipe(new Demuxer())));
    expect(BeamflowError.isInstance(e1) && e1.code, String(e1)).toBe('BEAMFLOW_INPUT');
    const empty = new PassThrough();
    empty.end();
    const e2 = await errorOf(collect(empty.pipe(new Demuxer())));
    expect(BeamflowError.isInstance(e2) && e2.code, String(e2)).toBe('BEAMFLOW_INPUT');
    expect(String(e2)).toMatch(/empty/);
  });

  it('format names the demuxer (ffmpeg -f); an unknown one is a ConfigError with the closest names', async () => {
    const envs = await collect(createReadStream(ts).pipe(new Demuxer({ format: 'mpegts' })));
    expect(envs.filter((e) => e.type === 'packet').length).toBeGreaterThan(100);
    // An alias of a demuxer FFmpeg lists under several names, as -f mp4 is.
    const mp4 = await collect(chunked(faststart).pipe(new Demuxer({ format: 'mp4' })));
    expect(mp4.filter((e) => e.type === 'packet').length).toBeGreaterThan(100);
    let err: unknown;
    try {
      new Demuxer({ format: 'mpegtss' });
    } catch (e) {
      err = e;
    }
    expect(BeamflowError.isInstance(err) && err.code).toBe('BEAMFLOW_CONFIG');
    expect((err as { allowed?: string[] }).allowed).toContain('mpegts');
  });

  it('the Decoder turns a phone video upright as decodeFile does, or keeps the matrix with autorotate: false', async () => {
    const phone = join(dir, 'phone.mp4');
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=96x64:rate=10', '-t', '1', '-c:v', 'libx264', '-preset', 'ultrafast', '-movflags', '+faststart', phone]);
    setTrackMatrix(phone, PHONE_MATRICES.portrait);
    const upright = await collect(chunked(phone).pipe(new Demuxer()).pipe(new Decoder()));
    const desc = upright.find((e) => e.type === 'stream');
    expect(desc?.type === 'stream' && [desc.codecpar.width, desc.codecpar.height, desc.displayMatrix]).toEqual([64, 96, undefined]);
    expect(fingerprint(upright)).toEqual(fingerprint(await collect(decodeFile(phone))));
    const kept = await collect(chunked(phone).pipe(new Demuxer()).pipe(new Decoder({ autorotate: false })));
    const keptDesc = kept.find((e) => e.type === 'stream');
    expect(keptDesc?.type === 'stream' && [keptDesc.codecpar.width, keptDesc.codecpar.height, keptDesc.displayMatrix?.length]).toEqual([96, 64, 9]);
  });

  it('the Decoder skips and reports packets it refuses, or fails on the first with onDecodeError: fail', async () => {
    const bytes = readFileSync(faststart);
    // Bytes of the media data overwritten (the index, first, stays intact): some packets no longer decode.
    const mdat = bytes.indexOf('mdat');
    for (let i = mdat + 2000; i < bytes.length; i += 97) bytes[i] = (i * 31) & 0xff;
    const bad = join(dir, 'garbled.mp4');
    writeFileSync(bad, bytes);
    const dec = new Decoder();
    const reported: unknown[] = [];
    dec.on('decodeError', (e) => reported.push(e));
    const envs = await collect(createReadStream(bad).pipe(new Demuxer()).pipe(dec));
    expect(dec.decodeErrors).toBe(reported.length);
    expect(reported.length).toBeGreaterThan(0);
    expect(reported.every((e) => BeamflowError.isInstance(e) && e.code === 'BEAMFLOW_FFMPEG')).toBe(true);
    expect(envs.filter((e) => e.type === 'frame').length).toBeGreaterThan(10);
    const err = await errorOf(collect(createReadStream(bad).pipe(new Demuxer()).pipe(new Decoder({ onDecodeError: 'fail' }))));
    expect(BeamflowError.isInstance(err) && err.code, String(err)).toBe('BEAMFLOW_FFMPEG');
  });

  it('a device named by format loads libavdevice on demand: lavfi with a filter graph as its input decodes', async () => {
    const envs = await collect(new Demuxer({ format: 'lavfi', input: 'testsrc2=size=64x36:rate=10:duration=1' }).pipe(new Decoder()));
    const frames = envs.filter((e): e is FrameEnvelope => e.type === 'frame');
    expect(frames).toHaveLength(10);
    expect([frames[0]!.frame.width, frames[0]!.frame.height]).toEqual([64, 36]);
  });

  it('a Demuxer reading its own input refuses bytes', async () => {
    const err = await errorOf(pipeline(Readable.from([Buffer.from('x')]), new Demuxer({ input: ts }), new Writable({ objectMode: true, write: (_e, _enc, cb) => cb() })));
    expect(BeamflowError.isInstance(err) && err.code, String(err)).toBe('BEAMFLOW_CONFIG');
  });
});
