/**
 * `decodeFile()` and `demuxFile()`: frame and packet sources over FFmpeg's
 * demuxers.
 *
 * Protocol
 * - construct: the path or URL and options are checked (typed errors); the
 *   demuxer is opened on the first read. Untrusted input is contained: FFmpeg
 *   may only use the protocols listed (`file` and `pipe` for a path), so a
 *   playlist inside a file cannot reach `http://` or other files' protocols
 *   unless the caller widens the list.
 * - first read: opens the demuxer (a missing file, or one that is not media,
 *   is an {@link InputError} naming the path), picks streams (the first video
 *   and the first audio by default) and sends a {@link StreamDescriptor} for
 *   each before any frame or packet.
 * - orientation: a video stream's display matrix (a phone's "rotate 90°")
 *   is in its descriptor. `decodeFile` turns frames upright by default, as
 *   the ffmpeg command line's autorotate does (transpose and flips through a
 *   filter graph, opened at the first frame); its descriptor then has the
 *   upright size and no matrix. `autorotate: false` keeps the pixels and the
 *   matrix travels on; `demuxFile` always carries it.
 * - timestamps start at zero, as with the ffmpeg command line: the input's
 *   start time (the earliest of its streams; an MPEG-TS often starts at 1.4 s)
 *   is subtracted from every packet of every stream, so the offsets between
 *   streams stay. `copyts: true` keeps the source's timestamps (`-copyts`).
 * - read: packets are read and, for `decodeFile`, decoded; frames (or
 *   packets) are pushed until the consumer's buffer is full, then reading
 *   stops until it asks again. A regular file is read up to 16 packets per
 *   native call, and the audio packets among them are decoded in one call per
 *   stream (each native call is a trip to libuv's pool and back, which costs
 *   more than decoding one AAC frame); a pipe or a network input is read one
 *   packet at a time, since a batch would wait for packets that are not there
 *   yet. The file is never read more than one batch ahead of the pipeline.
 * - hardware decode (`hwaccel`): when the video decoder opens, a device is
 *   negotiated (CUDA, then VAAPI for `'auto'`; see hw-devices.ts) and set on
 *   the decoder; FFmpeg decodes on it and frames come back in system memory,
 *   so the rest of the pipeline is unchanged. The choice, with the reason each
 *   device was rejected, is `source.hardware` and a `'hardware'` event.
 * - a packet a decoder refuses (corrupt data) is skipped, counted and reported
 *   as a `'decodeError'` event, as the ffmpeg command line goes on after
 *   "Error while decoding stream"; `onDecodeError: 'fail'` makes it fatal.
 * - end: each decoder is drained (its delayed frames pushed), then the end.
 * - destroy: waits for the native call in flight, then drops the demuxer and
 *   decoders once.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { ConfigError, InputError, toFFmpegError } from '../errors.js';
import { codecParametersFrom, type Envelope, type MediaKind, type StreamDescriptor } from '../envelopes.js';
import { beamcoder, releaseFrame, type BeamDecoder, type BeamDemuxer, type Frame, type Packet } from '../native.js';
import { displayMatrixFrom, uprightFilter } from '../orientation.js';
import { openGraph, type FilterGraph } from '../filters/graph.js';
import { NOPTS, reduce, rescale, type Rational } from '../rational.js';
import { sourceCutShort } from './cut-short.js';
import { _negotiateDecoder, type DeviceKind, type HardwareDecodeChoice } from '../hw-devices.js';

/** Options of {@link decodeFile} and {@link demuxFile}. */
export interface DemuxOptions {
  /** Include video: `true` (first video stream that is not cover art, default), `false`, or a stream index (cover art too). */
  video?: boolean | number;
  /** Include audio: `true` (first audio stream, default), `false`, a stream index, or a language (`'fra'`, as the file tags it). */
  audio?: boolean | number | string;
  /** FFmpeg protocols the input may use (default `['file', 'pipe']` for a path; a URL's own scheme must be listed). */
  protocols?: readonly string[];
  /**
   * Open FFmpeg concat lists (`ffconcat version 1.0`), which name other files. Off by default,
   * as untrusted input: a list is refused before FFmpeg reads it.
   */
  allowConcat?: boolean;
  /** Frames (or packets) buffered ahead (default 4). */
  highWaterMark?: number;
  /** Decoder threads (default 0: automatic). */
  threads?: number;
  /**
   * Decode video on a hardware device (`decodeFile` only): `'auto'` uses CUDA (NVDEC) or VAAPI
   * when one works here and software otherwise; `'cuda'` or `'vaapi'` insist, and the source
   * fails with a {@link DeviceUnavailableError} carrying the reasons when that device cannot
   * decode; `'none'` (default) is software.
   */
  hwaccel?: 'auto' | DeviceKind | 'none';
  /**
   * A packet the decoder refuses (corrupt data): `'skip'` (default) drops it and goes on, as the
   * ffmpeg command line does, counting it in `decodeErrors` and emitting a `'decodeError'` event
   * with the FFmpegError; `'fail'` ends the source with that error (ffmpeg's `-xerror`).
   */
  onDecodeError?: 'skip' | 'fail';
  /**
   * Keep the input's own timestamps (ffmpeg's `-copyts`). By default they are shifted so that the
   * input starts at zero, the offsets between its streams kept, as the ffmpeg command line does.
   */
  copyts?: boolean;
  /**
   * Turn video upright by its display matrix (`decodeFile`; default true, as ffmpeg's
   * autorotate). `false` keeps the pixels as stored and puts the matrix in the descriptor.
   */
  autorotate?: boolean;
}

function startsWith(path: string, magic: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(magic.length);
    return readSync(fd, buf, 0, buf.length, 0) === buf.length && buf.toString('latin1') === magic;
  } finally {
    closeSync(fd);
  }
}

interface Selected {
  index: number;
  kind: MediaKind;
  timeBase: Rational;
  decoder?: BeamDecoder;
  streamId: number;
  /** Subtracted from every timestamp of the stream (the input's start time in its time base). */
  offset: bigint;
  /** The filter chain that turns its frames upright, and once opened, the graph running it. */
  upright?: { spec: string; graph?: FilterGraph };
}

abstract class DemuxSource extends Readable {
  readonly url: string;
  protected readonly opts: DemuxOptions;
  #demuxer: BeamDemuxer | undefined;
  #streams = new Map<number, Selected>();
  /** Packets read but not yet decoded or pushed (a batch read from a regular file). */
  #queue: Packet[] = [];
  #batchRead = false;
  #pulling = false;
  #ended = false;
  #inflight: Promise<unknown> | undefined;
  /** The hardware decode negotiation's outcome (with `hwaccel`), once the video decoder is open. */
  hardware: HardwareDecodeChoice | undefined;
  /** Packets the decoders refused and that were skipped (see `onDecodeError`). */
  decodeErrors = 0;

  constructor(pathOrUrl: string, opts: DemuxOptions, private readonly decode: boolean) {
    super({ objectMode: true, highWaterMark: opts.highWaterMark ?? 4 });
    if (typeof pathOrUrl !== 'string' || pathOrUrl.length === 0) throw new ConfigError('path', 'must be a file path or URL');
    this.opts = opts;
    if (opts.hwaccel !== undefined) {
      const allowed = ['auto', 'cuda', 'vaapi', 'none'];
      if (!allowed.includes(opts.hwaccel)) throw new ConfigError('hwaccel', `must be one of ${allowed.join(', ')}`, allowed);
      if (!decode && opts.hwaccel !== 'none') throw new ConfigError('hwaccel', 'only decodeFile decodes; demuxFile passes packets through');
    }
    if (opts.onDecodeError !== undefined && opts.onDecodeError !== 'skip' && opts.onDecodeError !== 'fail') {
      throw new ConfigError('onDecodeError', `must be 'skip' or 'fail' (got ${JSON.stringify(opts.onDecodeError)})`, ['skip', 'fail']);
    }
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(pathOrUrl)?.[1]?.toLowerCase();
    const isUrl = scheme !== undefined && scheme.length > 1 && scheme !== 'file';
    const protocols = opts.protocols ?? ['file', 'pipe'];
    if (isUrl && !protocols.includes(scheme)) {
      throw new ConfigError('protocols', `${scheme}:// is not allowed for this input; pass protocols: [..., '${scheme}'] to allow it`, protocols);
    }
    if (!isUrl) {
      const path = scheme === 'file' ? pathOrUrl.replace(/^file:(\/\/)?/, '') : pathOrUrl;
      if (!existsSync(path)) throw new InputError(pathOrUrl, 'no such file');
      const st = statSync(path);
      if (st.isDirectory()) throw new InputError(pathOrUrl, 'is a directory, not a media file');
      // Nothing to probe in a zero-byte file: say so plainly instead of FFmpeg's "invalid data".
      if (st.isFile() && st.size === 0) throw new InputError(pathOrUrl, 'is empty');
      if (st.isFile() && !opts.allowConcat && startsWith(path, 'ffconcat version 1.0')) {
        throw new InputError(pathOrUrl, 'is an FFmpeg concat list, which names other files; pass allowConcat: true to open it');
      }
      this.#batchRead = st.isFile();
    }
    this.url = pathOrUrl;
  }

  #track<T>(p: Promise<T>): Promise<T> {
    this.#inflight = p.catch(() => undefined);
    return p;
  }

  override _read(): void {
    if (this.#pulling) return;
    this.#pulling = true;
    this.#pull().then(
      () => {
        this.#pulling = false;
      },
      (err: unknown) => {
        this.#pulling = false;
        this.destroy(err instanceof Error ? err : new Error(String(err)));
      },
    );
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    (this.#inflight ?? Promise.resolve()).then(() => {
      for (const s of this.#streams.values()) delete s.decoder;
      this.#streams.clear();
      this.#queue = [];
      this.#demuxer = undefined;
      cb(err ?? sourceCutShort(this));
    });
  }

  async #open(): Promise<void> {
    const protocols = (this.opts.protocols ?? ['file', 'pipe']).join(',');
    let dm: BeamDemuxer;
    try {
      dm = await this.#track(beamcoder().demuxer({ url: this.url, options: { protocol_whitelist: protocols } } as never));
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      const reason = msg.replace(/^In file \S+ on line \d+, found error: /, '').replace(/\s+/g, ' ').trim();
      throw new InputError(this.url, `cannot be opened as media (${reason})`, { cause: err });
    }
    if (this.destroyed) return;
    this.#demuxer = dm;
    const language = (st: { metadata?: unknown }): string | undefined => {
      const l = (st.metadata as Record<string, unknown> | undefined)?.language;
      return typeof l === 'string' && l !== '' && l !== 'und' ? l : undefined;
    };
    const coverArt = (st: { disposition?: unknown }): boolean => (st.disposition as Record<string, boolean> | undefined)?.ATTACHED_PIC === true;
    const pick = (kind: MediaKind, want: boolean | number | string | undefined): number | undefined => {
      if (want === false) return undefined;
      if (typeof want === 'number') {
        const st = dm.streams[want];
        if (!st || st.codecpar.codec_type !== kind) throw new ConfigError(kind, `stream ${want} of ${this.url} is not a ${kind} stream`);
        return want;
      }
      // Cover art (an MP3's or M4A's attached picture) is a one-frame video stream, not the video.
      const candidates = dm.streams.filter((s) => s.codecpar.codec_type === kind && !coverArt(s));
      if (typeof want === 'string') {
        const found = candidates.find((s) => language(s)?.toLowerCase() === want.toLowerCase());
        if (!found) {
          const have = candidates.map((s) => `${s.index}: ${language(s) ?? 'no language'}`);
          throw new ConfigError(kind, `${this.url} has no ${kind} stream in language '${want}'; its ${kind} streams: ${have.join(', ') || 'none'}`, have);
        }
        return found.index;
      }
      return candidates[0]?.index;
    };
    const v = pick('video', this.opts.video);
    const a = pick('audio', this.opts.audio);
    if (v === undefined && a === undefined) {
      throw new InputError(this.url, `has no ${this.opts.video === false ? 'audio' : this.opts.audio === false ? 'video' : 'audio or video'} stream`);
    }
    if (this.opts.video !== undefined && this.opts.video !== false && v === undefined) {
      const cover = dm.streams.find((s) => s.codecpar.codec_type === 'video' && coverArt(s));
      throw new InputError(this.url, cover ? `has no video stream, only cover art (stream ${cover.index}: pass video: ${cover.index} to take it)` : 'has no video stream');
    }
    if (this.opts.audio !== undefined && this.opts.audio !== false && a === undefined) throw new InputError(this.url, 'has no audio stream');
    // The input's start (AV_TIME_BASE units), as ffmpeg's ts_offset takes it.
    const start = (dm as unknown as { start_time?: number | null }).start_time;
    const startUs = !this.opts.copyts && typeof start === 'number' && Number.isFinite(start) && BigInt(start) !== NOPTS ? BigInt(start) : 0n;
    for (const index of [v, a]) {
      if (index === undefined) continue;
      const st = dm.streams[index]!;
      const kind = st.codecpar.codec_type as MediaKind;
      const tb = st.time_base as [number, number];
      const timeBase = { num: tb[0], den: tb[1] };
      const offset = startUs === 0n ? 0n : rescale(startUs, { num: 1, den: 1_000_000 }, timeBase);
      const sel: Selected = { index, kind, timeBase, streamId: this.#streams.size, offset };
      if (this.decode) {
        const params: Record<string, unknown> = { demuxer: dm, stream_index: index, thread_count: this.opts.threads ?? 0 };
        const hwaccel = this.opts.hwaccel ?? 'none';
        if (kind === 'video' && hwaccel !== 'none') {
          const choice = _negotiateDecoder(st.codecpar.name as string, hwaccel);
          this.hardware = choice;
          this.emit('hardware', choice);
          if (choice.context) Object.assign(params, { hwaccel: true, hw_device_ctx: choice.context });
        }
        try {
          sel.decoder = beamcoder().decoder(params as never);
        } catch (err) {
          throw toFFmpegError(`open decoder (${this.url} stream ${index})`, err);
        }
      }
      this.#streams.set(index, sel);
      this.push(this.describe(st as unknown as Record<string, unknown>, sel));
    }
  }

  /** The descriptor of a selected stream. */
  protected describe(st: Record<string, unknown>, sel: Selected): StreamDescriptor {
    const par = st.codecpar as Record<string, unknown>;
    const rate = (st.avg_frame_rate as [number, number] | undefined) ?? (st.r_frame_rate as [number, number] | undefined);
    let dur: bigint | undefined = typeof st.duration === 'number' && st.duration > 0 ? BigInt(st.duration) : undefined;
    // Matroska and WebM give the length only for the whole file (in AV_TIME_BASE units).
    const whole = (this.#demuxer as unknown as { duration?: number | null } | undefined)?.duration;
    if (dur === undefined && typeof whole === 'number' && whole > 0) dur = rescale(BigInt(whole), { num: 1, den: 1_000_000 }, sel.timeBase);
    const codecpar = codecParametersFrom(par, sel.kind, String(par.name));
    if (this.decode) codecpar.name = sel.kind === 'video' ? 'rawvideo' : 'pcm';
    let matrix = sel.kind === 'video' ? displayMatrixFrom(st.side_data) : undefined;
    const lang = (st.metadata as Record<string, unknown> | undefined)?.language;
    if (matrix && this.decode && this.opts.autorotate !== false) {
      const up = uprightFilter(matrix);
      if (up.filter) sel.upright = { spec: up.filter };
      if (up.swapsSize) {
        [codecpar.width, codecpar.height] = [codecpar.height, codecpar.width];
        if (codecpar.sample_aspect_ratio) codecpar.sample_aspect_ratio = [codecpar.sample_aspect_ratio[1], codecpar.sample_aspect_ratio[0]];
      }
      matrix = undefined;
    }
    return {
      type: 'stream', streamId: sel.streamId, kind: sel.kind, timeBase: sel.timeBase, codecpar, coded: !this.decode,
      ...(sel.kind === 'video' && rate && rate[0] > 0 && rate[1] > 0 ? { frameRate: reduce(rate) } : {}),
      ...(dur !== undefined ? { duration: dur } : {}),
      ...(matrix ? { displayMatrix: matrix } : {}),
      ...(typeof lang === 'string' && lang !== '' && lang !== 'und' ? { language: lang } : {}),
    };
  }

  async #pull(): Promise<void> {
    if (!this.#demuxer) {
      await this.#open();
      if (this.destroyed) return;
    }
    for (;;) {
      if (this.#ended || this.destroyed) return;
      const packet = await this.#nextPacket();
      if (this.destroyed) return;
      if (!packet) {
        await this.#finish();
        return;
      }
      const sel = this.#streams.get(packet.stream_index);
      if (!sel) continue;
      if (sel.offset !== 0n) shift(packet, sel.offset);
      let more = true;
      if (!sel.decoder) {
        more = this.push({ type: 'packet', kind: sel.kind, packet, streamId: sel.streamId, timeBase: sel.timeBase } satisfies Envelope);
      } else {
        // Audio packets of this stream waiting in the batch go in the same call (the patched
        // addon decodes a batch packet by packet and lists the packets it refused). Video
        // packets go one at a time, so that frames leave as soon as each is decoded, and so
        // does everything when the first refusal must end the source.
        const batch = sel.kind === 'audio' && this.opts.onDecodeError !== 'fail';
        const run = batch ? [packet, ...this.#takeQueued(packet.stream_index, sel.offset)] : [packet];
        let res: { frames: Frame[]; errors?: Array<{ packet: number; message: string }> };
        try {
          res = await this.#track(sel.decoder.decode(run));
        } catch (err) {
          this.#decodeFailed(sel, err);
          continue;
        }
        if (this.destroyed) return;
        for (const e of res.errors ?? []) this.#decodeFailed(sel, new Error(e.message));
        const frames = sel.upright ? await this.#upright(sel, res.frames) : res.frames;
        if (this.destroyed) return;
        for (const f of frames) more = this.#pushFrame(sel, f) && more;
      }
      if (!more) return;
    }
  }

  /** The next packet: from the batch read last, else from the demuxer (null at the end). */
  async #nextPacket(): Promise<Packet | null> {
    const queued = this.#queue.shift();
    if (queued) return queued;
    const dm = this.#demuxer!;
    try {
      if (!this.#batchRead) return await this.#track(dm.read());
      // The patched addon's read(n) answers with an array (empty at the end).
      const got = await this.#track((dm.read as unknown as (n: number) => Promise<Packet[] | Packet | null>)(READ_BATCH));
      this.#queue = Array.isArray(got) ? got : got ? [got] : [];
      return this.#queue.shift() ?? null;
    } catch (err) {
      throw toFFmpegError(`read ${this.url}`, err);
    }
  }

  /** Take the queued packets of one stream out of the batch, in order and shifted; the others stay queued. */
  #takeQueued(streamIndex: number, offset: bigint): Packet[] {
    const taken = this.#queue.filter((p) => p.stream_index === streamIndex);
    if (taken.length > 0) this.#queue = this.#queue.filter((p) => p.stream_index !== streamIndex);
    if (offset !== 0n) for (const p of taken) shift(p, offset);
    return taken;
  }

  #decodeFailed(sel: Selected, err: unknown): void {
    const error = toFFmpegError(`decode ${this.url} stream ${sel.index}`, err);
    if (this.destroyed || this.opts.onDecodeError === 'fail') throw error;
    this.decodeErrors++;
    this.emit('decodeError', error);
  }

  /** Decoded frames turned upright (the graph opens at the first); the frames handed in are released. */
  async #upright(sel: Selected, frames: readonly Frame[]): Promise<Frame[]> {
    const up = sel.upright!;
    const out: Frame[] = [];
    for (const f of frames) {
      // The graph carries the pts it was given: the best-effort one, as the frame would be pushed.
      const best = (f as unknown as { best_effort_timestamp?: number | null }).best_effort_timestamp;
      if (best !== null && best !== undefined) f.pts = best;
      try {
        up.graph ??= await this.#track(openGraph('video', f, sel.timeBase, up.spec, { pixelFormat: f.format as string }));
        out.push(...(await this.#track(up.graph.run(f))));
      } catch (err) {
        throw toFFmpegError(`turn ${this.url} upright (${up.spec})`, err);
      }
      releaseFrame(f);
    }
    return out;
  }

  #pushFrame(sel: Selected, f: Frame): boolean {
    // The decoder's best guess of the presentation time, as the ffmpeg command line uses.
    const best = (f as unknown as { best_effort_timestamp?: number | null }).best_effort_timestamp;
    if (best !== null && best !== undefined) f.pts = best;
    return this.push({ type: 'frame', kind: sel.kind, frame: f, streamId: sel.streamId, timeBase: sel.timeBase } satisfies Envelope);
  }

  async #finish(): Promise<void> {
    this.#ended = true;
    for (const sel of this.#streams.values()) {
      if (!sel.decoder) continue;
      const dec = sel.decoder;
      let res;
      try {
        res = await this.#track(dec.flush());
      } catch (err) {
        throw toFFmpegError(`drain decoder (${this.url} stream ${sel.index})`, err);
      }
      const frames = sel.upright ? await this.#upright(sel, res.frames) : res.frames;
      for (const f of frames) this.#pushFrame(sel, f);
    }
    this.push(null);
  }
}

/** Moves a packet's timestamps back by `offset` (its stream's time base); missing ones stay missing. */
function shift(p: Packet, offset: bigint): void {
  const pts = p.pts;
  const dts = p.dts;
  if (pts !== null && pts !== undefined && BigInt(pts) !== NOPTS) p.pts = Number(BigInt(pts) - offset);
  if (dts !== null && dts !== undefined && BigInt(dts) !== NOPTS) p.dts = Number(BigInt(dts) - offset);
}

/** Packets read per native call from a regular file. */
const READ_BATCH = 16;

/** A FrameSource that demuxes and decodes a file (or an allowed URL). */
export class DecodeSource extends DemuxSource {
  constructor(pathOrUrl: string, opts: DemuxOptions = {}) {
    super(pathOrUrl, opts, true);
  }
}

/** A packet source: demuxes without decoding, for stream copy. */
export class DemuxPacketSource extends DemuxSource {
  constructor(pathOrUrl: string, opts: DemuxOptions = {}) {
    super(pathOrUrl, opts, false);
  }
}

/**
 * Demux and decode a media file into frame envelopes.
 *
 * @example
 * ```ts
 * await pipeline(decodeFile('in.mp4'), new Scaler({ width: 640 }), new Encoder(cfg), new Rescaler(), new Muxer({ format: 'mp4', output: 'out.mp4' }));
 * ```
 */
export function decodeFile(pathOrUrl: string, opts: DemuxOptions = {}): DecodeSource {
  return new DecodeSource(pathOrUrl, opts);
}

/** Demux a media file into coded descriptors and packets, for remuxing without re-encoding. */
export function demuxFile(pathOrUrl: string, opts: DemuxOptions = {}): DemuxPacketSource {
  return new DemuxPacketSource(pathOrUrl, opts);
}
