/**
 * The input corpus: twenty kinds of file a user hands `beamflow transcode`
 * (codecs, containers, pixel formats, timing quirks), each made by the ffmpeg
 * command line so that what the suite feeds beamflow is what real tools write,
 * and small (128x72, 1–2 s) so that the whole corpus builds in seconds.
 * Containers are written with `-fflags +bitexact` and encoders with one
 * thread: the bytes are the same on every run, so a corrupted variant derived
 * from them by offset is the same variant on every run.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PHONE_MATRICES, setTrackMatrix } from './orientation.js';

export interface CorpusInput {
  /** File name in the corpus directory (its extension picks the container). */
  name: string;
  /** What the input stands for, for test names and reports. */
  what: string;
  path: string;
  /** The arguments after `ffmpeg -v error -y` that made it. */
  args: string[];
  /** Rewritten after ffmpeg: the phone's display matrix put into the track header. */
  rotated?: boolean;
  /** The streams a transcode must keep: video (cover art is not video) and audio. */
  video: boolean;
  audio: boolean;
}

const SIZE = '128x72';
const V = ['-f', 'lavfi', '-i', `testsrc2=size=${SIZE}:rate=25`];
const A = ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'];
const X264 = ['-c:v', 'libx264', '-preset', 'ultrafast'];
const AAC = ['-c:a', 'aac'];
const OUT = ['-threads', '1', '-fflags', '+bitexact'];

// Not media.ts's ffmpeg(): that module needs vitest, and this one also serves scripts run by hand.
function ffmpeg(args: string[]): void {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-y', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffmpeg ${args.join(' ')} failed: ${r.stderr}`);
}

function encoders(): string {
  return spawnSync('ffmpeg', ['-hide_banner', '-encoders'], { encoding: 'utf8' }).stdout;
}

/** The reproduction of an input, as a shell line. */
export function command(input: CorpusInput): string {
  const quote = (a: string): string => (/^[\w.,:=+/-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  const line = `ffmpeg -v error -y ${input.args.map(quote).join(' ')}`;
  return input.rotated ? `${line}  (then the phone's portrait matrix written into its tkhd: test/support/orientation.ts)` : line;
}

/** Makes the twenty inputs in `dir` (about a second of ffmpeg time in all). */
export function makeCorpus(dir: string): CorpusInput[] {
  // Debian 12's ffmpeg has libaom-av1 and libsvtav1; either is real AV1, whichever this build has.
  const av1 = /\blibaom-av1\b/.test(encoders())
    ? ['-c:v', 'libaom-av1', '-usage', 'realtime', '-cpu-used', '8']
    : ['-c:v', 'libsvtav1', '-preset', '12'];
  const specs: Array<Omit<CorpusInput, 'path' | 'args'> & { args: (out: string) => string[] }> = [
    { name: 'hevc10.mp4', what: 'HEVC 10-bit + AAC in MP4', video: true, audio: true,
      args: (o) => [...V, ...A, '-t', '1', '-c:v', 'libx265', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p10le',
        '-x265-params', 'log-level=error:pools=1:frame-threads=1', '-tag:v', 'hvc1', ...AAC, ...OUT, o] },
    { name: 'vp9-vorbis.webm', what: 'VP9 + Vorbis in WebM', video: true, audio: true,
      args: (o) => [...V, ...A, '-t', '1', '-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-c:a', 'libvorbis', ...OUT, o] },
    { name: 'av1-opus.mkv', what: 'AV1 + Opus in Matroska', video: true, audio: true,
      args: (o) => [...V, ...A, '-t', '1', ...av1, '-c:a', 'libopus', ...OUT, o] },
    { name: 'mpeg2-interlaced.ts', what: 'interlaced MPEG-2 video + MP2 in MPEG-TS', video: true, audio: true,
      args: (o) => [...V, ...A, '-t', '1', '-vf', 'setfield=tff', '-c:v', 'mpeg2video', '-flags', '+ilme+ildct', '-top', '1', '-b:v', '800k',
        '-c:a', 'mp2', ...OUT, o] },
    { name: 'prores.mov', what: 'ProRes 422 (10-bit 4:2:2) + PCM in MOV', video: true, audio: true,
      args: (o) => [...V, ...A, '-t', '1', '-c:v', 'prores_ks', '-profile:v', '2', '-c:a', 'pcm_s16le', ...OUT, o] },
    { name: 'mjpeg-pcm.avi', what: 'MJPEG + PCM in AVI', video: true, audio: true,
      args: (o) => [...V, ...A, '-t', '1', '-c:v', 'mjpeg', '-q:v', '5', '-pix_fmt', 'yuvj420p', '-c:a', 'pcm_s16le', ...OUT, o] },
    { name: 'surround.flac', what: '5.1 FLAC, audio only', video: false, audio: true,
      args: (o) => ['-f', 'lavfi', '-i', 'aevalsrc=sin(440*2*PI*t)|sin(550*2*PI*t)|sin(660*2*PI*t)|0.1*sin(60*2*PI*t)|sin(770*2*PI*t)|sin(880*2*PI*t):c=5.1:s=48000:d=1',
        '-c:a', 'flac', ...OUT, o] },
    { name: 'one-frame.mp4', what: 'a video of one frame', video: true, audio: false,
      args: (o) => [...V, '-frames:v', '1', ...X264, ...OUT, o] },
    { name: 'pts-wrap.ts', what: 'MPEG-TS whose 33-bit PTS wraps 0.72 s in', video: true, audio: true,
      // 2^33 / 90 kHz = 95443.72 s: starting at 95443 s, the wrap comes mid-file.
      args: (o) => [...V, ...A, '-t', '2', ...X264, ...AAC, '-muxdelay', '0', '-muxpreload', '0', '-output_ts_offset', '95443', ...OUT, o] },
    { name: 'fragmented.mp4', what: 'fragmented MP4 (empty moov, a fragment per keyframe)', video: true, audio: true,
      args: (o) => [...V, ...A, '-t', '2', ...X264, '-g', '10', ...AAC, '-movflags', 'frag_keyframe+empty_moov', ...OUT, o] },
    { name: 'h264-aac.flv', what: 'FLV with H.264 + AAC', video: true, audio: true,
      args: (o) => [...V, ...A, '-t', '1', ...X264, ...AAC, ...OUT, o] },
    { name: 'cover.mp3', what: 'MP3 with cover art (attached picture)', video: false, audio: true,
      args: (o) => [...A, '-f', 'lavfi', '-i', 'color=c=red:size=64x64', '-t', '1', '-map', '0:a', '-map', '1:v', '-c:a', 'libmp3lame',
        '-c:v', 'png', '-frames:v', '1', '-disposition:v', 'attached_pic', '-id3v2_version', '3', '-metadata:s:v', 'comment=Cover (front)', ...OUT, o] },
    { name: 'phone-portrait.mp4', what: 'phone-style rotated H.264 MP4 (display matrix)', video: true, audio: true, rotated: true,
      args: (o) => ['-f', 'lavfi', '-i', 'testsrc2=size=160x90:rate=30', ...A, '-t', '1', ...X264, ...AAC, ...OUT, o] },
    { name: 'vfr.mp4', what: 'variable-frame-rate H.264 MP4', video: true, audio: true,
      // Three frames kept of every five: gaps of one and three frame times alternate.
      args: (o) => [...V, ...A, '-t', '2', '-vf', 'select=lt(mod(n\\,5)\\,3)', '-fps_mode', 'vfr', ...X264, ...AAC, ...OUT, o] },
    { name: 'offset.ts', what: 'MPEG-TS starting at 1.44 s', video: true, audio: true,
      args: (o) => [...V, ...A, '-t', '1', ...X264, ...AAC, '-muxdelay', '0', '-muxpreload', '0', '-output_ts_offset', '1.44', ...OUT, o] },
    { name: 'theora-vorbis.ogg', what: 'Ogg with Theora + Vorbis', video: true, audio: true,
      args: (o) => [...V, ...A, '-t', '1', '-c:v', 'libtheora', '-q:v', '5', '-c:a', 'libvorbis', ...OUT, o] },
    { name: 'pcm.wav', what: 'WAV with PCM only', video: false, audio: true,
      args: (o) => [...A, '-t', '1', '-c:a', 'pcm_s16le', ...OUT, o] },
    { name: 'two-languages.mkv', what: 'Matroska with two audio languages', video: true, audio: true,
      args: (o) => [...V, ...A, '-f', 'lavfi', '-i', 'sine=frequency=660:sample_rate=48000', '-t', '1', '-map', '0:v', '-map', '1:a', '-map', '2:a',
        ...X264, ...AAC, '-metadata:s:a:0', 'language=eng', '-metadata:s:a:1', 'language=fra', ...OUT, o] },
    { name: 'h264-444.mp4', what: 'H.264 High 4:4:4 (a pixel-format conversion to 4:2:0)', video: true, audio: true,
      args: (o) => [...V, ...A, '-t', '1', ...X264, '-pix_fmt', 'yuv444p', ...AAC, ...OUT, o] },
    { name: 'mpeg4-mp3.avi', what: 'MPEG-4 part 2 + MP3 in AVI', video: true, audio: true,
      args: (o) => [...V, ...A, '-t', '1', '-c:v', 'mpeg4', '-q:v', '5', '-c:a', 'libmp3lame', ...OUT, o] },
  ];
  return specs.map(({ args, ...spec }) => {
    const path = join(dir, spec.name);
    const input: CorpusInput = { ...spec, path, args: args(path) };
    ffmpeg(input.args);
    if (input.rotated) setTrackMatrix(path, PHONE_MATRICES.portrait);
    return input;
  });
}

/** One corrupted copy of an input: what was done to it (offsets included, to replay it) and its bytes. */
export interface Corruption {
  kind: string;
  how: string;
  bytes: Buffer;
}

/**
 * Where a file's header lives: an MP4/MOV's `moov` box (at the end unless the file is
 * fragmented or fast-started), else its first bytes (TS tables, Matroska tracks, Ogg and
 * FLAC headers, AVI's hdrl, an ID3 tag), up to 2 KiB.
 */
export function headerRegion(bytes: Buffer): [number, number] {
  for (let at = 0; at + 8 <= bytes.length;) {
    const size = bytes.readUInt32BE(at);
    const type = bytes.toString('latin1', at + 4, at + 8);
    if (!/^[a-z]{4}$/.test(type) || size < 8) break;
    if (type === 'moov') return [at, Math.min(bytes.length, at + size)];
    at += size;
  }
  return [0, Math.max(16, Math.min(2048, bytes.length >> 3))];
}

/**
 * Fifteen corrupted copies of `bytes`, the same for the same seed: truncations (one inside
 * the header, four across the file), byte flips at the start, in the header and in the
 * middle, zeroed runs in the header and the middle, and a chunk duplicated or removed.
 */
export function corruptions(bytes: Buffer, rnd: () => number): Corruption[] {
  const n = bytes.length;
  const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * Math.max(1, hi - lo));
  const [hs, he] = headerRegion(bytes);
  const [ms, me] = [n >> 2, (3 * n) >> 2];
  const out: Corruption[] = [];
  const truncate = (kind: string, at: number, where: string): void => {
    out.push({ kind, how: `truncated to ${at} of ${n} bytes (${where})`, bytes: Buffer.from(bytes.subarray(0, at)) });
  };
  const flip = (kind: string, count: number, lo: number, hi: number): void => {
    const b = Buffer.from(bytes);
    const flips: string[] = [];
    for (let i = 0; i < count; i++) {
      const at = int(lo, hi);
      const mask = int(1, 256);
      b[at] = b[at]! ^ mask;
      flips.push(`${at}^0x${mask.toString(16)}`);
    }
    out.push({ kind, how: `bytes XORed (offset^mask): ${flips.join(' ')}`, bytes: b });
  };
  const zero = (kind: string, len: number, lo: number, hi: number): void => {
    const at = int(lo, Math.max(lo + 1, hi - len));
    const b = Buffer.from(bytes);
    b.fill(0, at, at + len);
    out.push({ kind, how: `bytes ${at}..${Math.min(n, at + len) - 1} zeroed`, bytes: b });
  };
  const chunk = (): [number, number] => {
    const len = int(512, Math.min(8193, n >> 2));
    const at = int(Math.floor(n * 0.05), Math.floor(n * 0.95) - len);
    return [at, len];
  };

  truncate('truncate-header', int(hs + 1, he), `inside the header, bytes ${hs}..${he - 1}`);
  for (const f of [0.1, 0.35, 0.6, 0.9]) truncate(`truncate-${Math.round(f * 100)}%`, Math.floor(n * (f + (rnd() - 0.5) * 0.05)), 'across the file');
  flip('flip-start', int(1, 5), 0, Math.min(256, n));
  flip('flip-header', int(2, 9), hs, he);
  flip('flip-middle-a', int(4, 33), ms, me);
  flip('flip-middle-b', int(4, 33), ms, me);
  zero('zero-header', int(16, 257), hs, he);
  zero('zero-middle', int(256, 4097), ms, me);
  for (const k of ['a', 'b']) {
    const [at, len] = chunk();
    out.push({ kind: `duplicate-${k}`, how: `bytes ${at}..${at + len - 1} repeated after themselves`,
      bytes: Buffer.concat([bytes.subarray(0, at + len), bytes.subarray(at, at + len), bytes.subarray(at + len)]) });
  }
  for (const k of ['a', 'b']) {
    const [at, len] = chunk();
    out.push({ kind: `remove-${k}`, how: `bytes ${at}..${at + len - 1} removed`,
      bytes: Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + len)]) });
  }
  return out;
}
