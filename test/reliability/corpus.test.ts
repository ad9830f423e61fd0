/**
 * The input corpus: twenty kinds of real-world file (HEVC 10-bit, VP9/Vorbis,
 * AV1, interlaced MPEG-2 TS, ProRes, MJPEG/PCM AVI, 5.1 FLAC, one frame, a
 * 33-bit PTS wrap, fragmented MP4, FLV, cover-art MP3, a phone's rotation,
 * VFR, …) each transcode through the real `beamflow transcode` with exit 0
 * into a file ffprobe judges whole: the streams the input had, every video
 * frame, durations within a frame, a clean full decode. Then 150 corrupted
 * variants of ten of them (truncated, flipped, zeroed, chunks repeated or cut)
 * go through the library pipeline in child processes, so that a native crash
 * or a hang is seen and named: none may crash or hang, each either transcodes
 * into a readable file or fails with a typed BeamflowError.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cli } from '../../packages/cli/test/run-cli.js';
import { command, corruptions, makeCorpus, type CorpusInput } from '../support/corpus.js';
import { decodeErrors, prng, root, streams, tempDir } from '../support/media.js';

const dir = tempDir('corpus');
const corpus = makeCorpus(dir);

/** Runs at most `n` of the given jobs at once: the CLI's children share two cores with other suites. */
function limit(n: number): <T>(job: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async (job) => {
    if (running >= n) await new Promise<void>((r) => waiting.push(r));
    running++;
    try {
      return await job();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}

interface Track {
  frames: number;
  seconds: number;
  /** The longest frame, in seconds: "within a frame" is measured with it. */
  longest: number;
}

/**
 * The first video (not cover art) and audio stream as the ffmpeg command line decodes them
 * (`-f framecrc`: every frame's pts and duration, after its own wrap and start handling):
 * frames, the span from the first pts to the last frame's end, the longest frame.
 */
function tracks(path: string): { video?: Track; audio?: Track } {
  const r = spawnSync('ffmpeg', ['-nostdin', '-v', 'error', '-i', path, '-map', '0:V:0?', '-map', '0:a:0?', '-f', 'framecrc', '-'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`ffmpeg framecrc ${path} failed: ${r.stderr}`);
  const kind = new Map<number, 'video' | 'audio'>();
  const tb = new Map<number, number>();
  const acc = new Map<number, { first: number; end: number; frames: number; longest: number }>();
  for (const line of r.stdout.split('\n')) {
    let m: RegExpMatchArray | null;
    if ((m = /^#media_type (\d+): (video|audio)/.exec(line))) kind.set(Number(m[1]), m[2] as 'video' | 'audio');
    else if ((m = /^#tb (\d+): (\d+)\/(\d+)/.exec(line))) tb.set(Number(m[1]), Number(m[2]) / Number(m[3]));
    else if (line !== '' && !line.startsWith('#')) {
      const [stream, , pts, duration] = line.split(',').map((f) => Number(f.trim()));
      const a = acc.get(stream!) ?? { first: pts!, end: -Infinity, frames: 0, longest: 0 };
      a.first = Math.min(a.first, pts!);
      a.end = Math.max(a.end, pts! + duration!);
      a.frames++;
      a.longest = Math.max(a.longest, duration!);
      acc.set(stream!, a);
    }
  }
  const out: { video?: Track; audio?: Track } = {};
  for (const [i, a] of acc) {
    const t = tb.get(i)!;
    out[kind.get(i)!] = { frames: a.frames, seconds: (a.end - a.first) * t, longest: a.longest * t };
  }
  return out;
}

type Stream = ReturnType<typeof streams>[number] & { pix_fmt?: string; disposition?: { attached_pic?: number } };

const tail = (s: string, n = 3000): string => (s.length > n ? `…${s.slice(-n)}` : s);

describe('the corpus through `beamflow transcode IN -o OUT.mp4`', () => {
  const lane = limit(2);

  it('has twenty kinds of input', () => {
    expect(corpus.map((c) => c.name)).toHaveLength(20);
    expect(new Set(corpus.map((c) => c.name)).size).toBe(20);
  });

  for (const input of corpus) {
    it.concurrent(`${input.what} (${input.name}): exit 0, its streams, every frame, its durations, a clean decode`, async ({ expect }) => {
      const out = join(dir, `${input.name}.out.mp4`);
      const r = await lane(() => cli(['transcode', input.path, '-o', out], { timeoutMs: 60_000 }));
      const repro = `input: ${command(input)}\nrun: beamflow transcode ${input.path} -o ${out}`;
      expect(r.code, `${repro}\nsignal: ${String(r.signal)}\nstderr: ${tail(r.stderr)}`).toBe(0);

      const inStreams = streams(input.path) as Stream[];
      const outStreams = streams(out) as Stream[];
      const inVideo = inStreams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
      // What the input had, less what the command drops by design: extra audio tracks, cover art.
      expect(outStreams.map((s) => s.codec_type).sort(), repro).toEqual([...(input.video ? ['video'] : []), ...(input.audio ? ['audio'] : [])].sort());
      expect(Boolean(inVideo), repro).toBe(input.video);

      const want = tracks(input.path);
      const got = tracks(out);
      if (inVideo) {
        const v = outStreams.find((s) => s.codec_type === 'video')!;
        expect(v.pix_fmt, repro).toBe('yuv420p');
        // A phone's portrait clip is turned upright, as ffmpeg's autorotate turns it.
        expect([v.width, v.height], repro).toEqual(input.rotated ? [inVideo.height, inVideo.width] : [inVideo.width, inVideo.height]);
        expect(got.video?.frames, `${repro}\nvideo frames`).toBe(want.video!.frames);
        expect(Math.abs(got.video!.seconds - want.video!.seconds), `${repro}\nvideo ${got.video!.seconds} s, input ${want.video!.seconds} s`)
          .toBeLessThanOrEqual(want.video!.longest + 1e-3);
      }
      if (input.audio) {
        // AAC pads its last frame, so the output may be longer by up to one of its frames;
        // nothing makes it shorter but samples lost (the ffmpeg command line loses none).
        const delta = got.audio!.seconds - want.audio!.seconds;
        const msg = `${repro}\naudio ${got.audio!.seconds.toFixed(4)} s, input ${want.audio!.seconds.toFixed(4)} s`;
        expect(delta, msg).toBeGreaterThanOrEqual(-1e-3);
        expect(delta, msg).toBeLessThanOrEqual(got.audio!.longest + 1e-3);
      }
      expect(decodeErrors(out), repro).toBe('');
    });
  }
});

// ─── corrupted variants ──────────────────────────────────────────────────────

/** The inputs the variants come from: every container family of the corpus, two audio-only. */
const SOURCES = ['hevc10.mp4', 'fragmented.mp4', 'vp9-vorbis.webm', 'av1-opus.mkv', 'mpeg2-interlaced.ts', 'mjpeg-pcm.avi',
  'h264-aac.flv', 'theora-vorbis.ogg', 'surround.flac', 'cover.mp3'];
/** Generous: a variant is a second of 128x72; only a pipeline that never settles gets near it. */
const DEADLINE_MS = 20_000;
const LANES = 2;

interface Variant {
  name: string;
  path: string;
  out: string;
  video: boolean;
  audio: boolean;
  source: CorpusInput;
  how: string;
}

type Result =
  | { outcome: 'ok' }
  | { outcome: 'error'; typed: boolean; code: string; error: string }
  | { outcome: 'hang'; states?: unknown; after?: unknown }
  | { outcome: 'crash'; signal: NodeJS.Signals | null; exitCode: number | null; stderr: string };

interface ChildLine {
  start?: string;
  name?: string;
  unhandled?: string;
  during?: string;
  outcome?: Result['outcome'];
}

function makeVariants(): Variant[] {
  const cdir = join(dir, 'corrupt');
  mkdirSync(cdir, { recursive: true });
  return SOURCES.flatMap((file, i) => {
    const source = corpus.find((c) => c.name === file)!;
    return corruptions(readFileSync(source.path), prng(1000 + i)).map((c) => {
      const name = `${file}~${c.kind}`;
      const path = join(cdir, `${name}${extname(file)}`);
      writeFileSync(path, c.bytes);
      return { name, path, out: join(cdir, `${name}.out.mp4`), video: source.video, audio: source.audio, source, how: c.how };
    });
  });
}

const tsx = pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href;
const script = join(root, 'test/reliability/scripts/corrupt-run.ts');

/**
 * Runs `batch` in one child. Resolves with the result of every variant the child finished,
 * the one it had started when it died (a crash, or a hang the child could not report
 * because its event loop was stuck), and the unhandled rejections it reported.
 */
function runChild(batch: Variant[], listFile: string): Promise<{ results: Map<string, Result>; unhandled: string[] }> {
  writeFileSync(listFile, JSON.stringify(batch.map(({ name, path, out, video, audio }) => ({ name, path, out, video, audio }))));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', tsx, script, listFile, String(DEADLINE_MS)], {
      cwd: root, env: { ...process.env, UV_THREADPOOL_SIZE: '16' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const results = new Map<string, Result>();
    const unhandled: string[] = [];
    let started: string | undefined;
    let finished: string | undefined;
    let pending = '';
    let stderr = '';
    let watchdog: NodeJS.Timeout | undefined;
    let killedForHang = false;
    // The child times each variant itself; this is for a child whose event loop is stuck.
    const arm = (): void => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => {
        killedForHang = true;
        child.kill('SIGKILL');
      }, DEADLINE_MS * 2 + 10_000);
    };
    arm();
    child.stdout.on('data', (d: Buffer) => {
      pending += d.toString();
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        let msg: ChildLine & Record<string, unknown>;
        try {
          msg = JSON.parse(line) as ChildLine & Record<string, unknown>;
        } catch {
          continue;
        }
        arm();
        if (msg.start !== undefined) started = msg.start;
        else if (msg.unhandled !== undefined) unhandled.push(`${msg.during}: ${msg.unhandled}`);
        else if (msg.name !== undefined) {
          const { name, ...rest } = msg;
          results.set(name, rest as unknown as Result);
          if (started === name) started = undefined;
          finished = name;
        }
      }
    });
    // Only the log since the last variant began matters for a crash report.
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-200_000);
      const at = stderr.lastIndexOf('--- variant ');
      if (at > 0) stderr = stderr.slice(at);
    });
    child.on('error', reject);
    child.on('close', (exitCode, signal) => {
      clearTimeout(watchdog);
      const reportedHang = finished !== undefined && results.get(finished)?.outcome === 'hang';
      const early = !reportedHang && batch.some((v) => !results.has(v.name));
      const died = signal !== null || (exitCode !== 0 && !reportedHang) || early;
      // The culprit: the variant it had started, else (a death between variants, in a
      // teardown or a finalizer) the one it had just finished.
      const culprit = started ?? (died ? finished : undefined);
      if (culprit !== undefined) {
        results.set(culprit, killedForHang
          ? { outcome: 'hang', states: `no word from the child in ${DEADLINE_MS * 2 + 10_000} ms; killed` }
          : { outcome: 'crash', signal, exitCode, stderr: `${started === undefined ? '(after it finished) ' : ''}${tail(stderr, 2000)}` });
      } else if (died) {
        // Nothing started: the child could not run at all (a stale native build, say).
        reject(new Error(`corrupt-run did not start (exit ${String(exitCode)}, signal ${String(signal)}): ${tail(stderr)}`));
        return;
      }
      resolve({ results, unhandled });
    });
  });
}

/** Every variant of `lane`, in as many children as it takes: one that dies is restarted after its culprit. */
async function runLane(variants: Variant[], lane: number): Promise<{ results: Map<string, Result>; unhandled: string[] }> {
  const results = new Map<string, Result>();
  const unhandled: string[] = [];
  let left = variants;
  for (let child = 0; left.length > 0; child++) {
    const r = await runChild(left, join(dir, `corrupt-lane${lane}-${child}.json`));
    for (const [k, v] of r.results) results.set(k, v);
    unhandled.push(...r.unhandled);
    left = left.filter((v) => !results.has(v.name));
  }
  return { results, unhandled };
}

describe('150 corrupted variants through decodeFile → Encoder → Rescaler → Muxer, in child processes', () => {
  it('none crashes or hangs; each is a readable MP4 or a typed BeamflowError; some of each', { timeout: 300_000 }, async () => {
    const variants = makeVariants();
    expect(variants).toHaveLength(150);
    expect(new Set(variants.map((v) => v.name)).size).toBe(150);

    const lanes = await Promise.all(Array.from({ length: LANES }, (_, l) => runLane(variants.filter((_v, i) => i % LANES === l), l)));
    const results = new Map(lanes.flatMap((l) => [...l.results]));
    const unhandled = lanes.flatMap((l) => l.unhandled);

    const repro = (v: Variant, detail: string): string => `${v.name}: ${detail}\n  input: ${command(v.source)}\n  corruption: ${v.how}`;
    const crashed: string[] = [];
    const hung: string[] = [];
    const untyped: string[] = [];
    const unreadable: string[] = [];
    const counts = { ok: 0, error: 0 };
    for (const v of variants) {
      const r = results.get(v.name);
      if (!r) throw new Error(`${v.name} never ran`);
      if (r.outcome === 'crash') crashed.push(repro(v, `child died (signal ${String(r.signal)}, exit ${String(r.exitCode)})\n  stderr: ${r.stderr}`));
      else if (r.outcome === 'hang') hung.push(repro(v, `no end within ${DEADLINE_MS} ms: ${JSON.stringify(r)}`));
      else if (r.outcome === 'error') {
        counts.error++;
        if (!r.typed || !/^BEAMFLOW_[A-Z_]+$/.test(r.code)) untyped.push(repro(v, `${r.code} (${r.error})`));
      } else {
        counts.ok++;
        try {
          if (streams(v.out).length === 0) unreadable.push(repro(v, 'ffprobe finds no stream in the output'));
        } catch (err) {
          unreadable.push(repro(v, String(err)));
        }
      }
    }
    expect(results.size).toBe(150);
    // Soft: one run names every kind of failure, not only the first.
    expect.soft(crashed, crashed.join('\n')).toEqual([]);
    expect.soft(hung, hung.join('\n')).toEqual([]);
    expect.soft(unhandled, unhandled.join('\n')).toEqual([]);
    expect.soft(untyped, untyped.join('\n')).toEqual([]);
    expect.soft(unreadable, unreadable.join('\n')).toEqual([]);
    // Both ways: a suite where everything fails (or nothing does) is not testing corrupt input.
    expect(counts.ok, JSON.stringify(counts)).toBeGreaterThan(0);
    expect(counts.error, JSON.stringify(counts)).toBeGreaterThan(0);
  });
});
