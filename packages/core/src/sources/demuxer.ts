/**
 * The `Demuxer` stage: bytes in (any Node stream: an HTTP request body, an
 * object store's read stream, a socket) or a file or URL it reads itself;
 * stream descriptors and packet envelopes out. `demuxFile()` is a Demuxer
 * reading a path; `decodeFile()` (demux.ts) decodes on top of the same
 * machinery.
 *
 * Protocol
 * - construct: options are checked (typed errors). With `input`, the path
 *   or URL is checked and the writable side is ended at once: FFmpeg reads
 *   the input itself. Untrusted input is contained: FFmpeg may only use the
 *   protocols listed (`file` and `pipe` for a path; none for bytes, so a
 *   playlist arriving as bytes cannot make FFmpeg fetch anything), and
 *   concat lists, which name other files, are refused unless allowed.
 * - write (bytes): queued for FFmpeg's custom I/O; see byte-input.ts for how
 *   a slow pipeline holds the writes back (bounded memory under a fast
 *   upload) and how an MP4 that needs seeking is refused or spooled.
 * - first read: opens the demuxer once enough bytes are there (a missing
 *   file, or bytes that are not media, are an {@link InputError} naming the
 *   input), picks streams (the first video that is not cover art and the
 *   first audio by default; by index, or audio by language) and sends a
 *   {@link StreamDescriptor} for each before any packet. A video stream's
 *   display matrix (a phone's "rotate 90°") is in its descriptor.
 * - timestamps start at zero, as with the ffmpeg command line: the input's
 *   start time (the earliest of its streams; an MPEG-TS often starts at 1.4 s)
 *   is subtracted from every packet of every stream, so the offsets between
 *   streams stay. `copyts: true` keeps the source's timestamps (`-copyts`).
 * - read: packets are read and pushed until the consumer's buffer is full,
 *   then reading stops until it asks again. A regular file is read up to 16
 *   packets per native call (each call is a trip to libuv's pool and back); a
 *   pipe, a network input or bytes one packet at a time, since a batch would
 *   wait for packets that are not there yet.
 * - end: the end of the input ends the stream (subclasses drain first).
 * - destroy: FFmpeg's byte queue is ended (a read waiting for bytes returns),
 *   the native call in flight is waited for, then the demuxer is dropped
 *   once; a spool file is removed.
 */
import { Duplex } from 'node:stream';
import { closestNames, ConfigError, InputError, toFFmpegError } from '../errors.js';
import { codecParametersFrom, type Envelope, type MediaKind, type StreamDescriptor, type StreamKind } from '../envelopes.js';
import { beamcoder, type BeamDemuxer, type Packet } from '../native.js';
import { displayMatrixFrom } from '../orientation.js';
import { NOPTS, reduce, rescale, type Rational } from '../rational.js';
import { cutShort } from '../cut-short.js';
import { BATCH_AHEAD_BYTES, ByteInput, OPEN_AHEAD_BYTES, READ_AHEAD_BYTES } from './byte-input.js';
import { checkInput, checkInputOptions, demuxerOptions, openFailure, type CheckedInput } from './input-checks.js';

/** Options of the {@link Demuxer}. */
export interface DemuxerOptions {
  /** A file path or URL to read instead of the bytes written to the Demuxer. */
  input?: string;
  /**
   * The input's format by FFmpeg's demuxer name (`'mpegts'`, `'h264'`, …), as ffmpeg's `-f`
   * before `-i`: for inputs FFmpeg cannot recognise by probing (raw elementary streams), and for
   * devices (`'v4l2'` with `input: '/dev/video0'`, `'lavfi'` with a filter graph as `input`).
   */
  format?: string;
  /**
   * Bytes that cannot be demuxed without seeking back (an MP4 whose index comes after its
   * media): spool them to a temporary file, opened when the input ends and removed as soon as
   * it is open (and on abort). Without it such an input is an {@link InputError} saying so.
   */
  spool?: boolean;
  /** Include video: `true` (first video stream that is not cover art, default), `false`, or a stream index (cover art too). */
  video?: boolean | number;
  /** Include audio: `true` (first audio stream, default), `false`, a stream index, or a language (`'fra'`, as the file tags it). */
  audio?: boolean | number | string;
  /**
   * Include subtitle streams, for stream copy (they are carried as packets, never decoded):
   * `false` (default), `true` (all of them), a stream index, or a language (`'deu'`: every
   * subtitle stream tagged with it). The output container must take their codec (Matroska
   * takes SubRip, ASS and WebVTT; MP4 takes mov_text), or the Muxer's header fails saying so.
   */
  subtitles?: boolean | number | string;
  /**
   * FFmpeg protocols the input may use (default `['file', 'pipe']` for a path, none for bytes;
   * a URL's own scheme must be listed).
   */
  protocols?: readonly string[];
  /**
   * Open FFmpeg concat lists (`ffconcat version 1.0`), which name other files. Off by default,
   * as untrusted input: a list is refused before FFmpeg reads it.
   */
  allowConcat?: boolean;
  /**
   * Start here, in seconds of the input (counted from its start, as ffmpeg's `-ss` before `-i`):
   * the demuxer seeks to the keyframe at or before it (when the input can seek) and timestamps
   * are shifted so that `start` is zero. Decoding (a {@link Decoder}, `decodeFile`) is frame
   * accurate: the frames before `start` are decoded and dropped. Stream copy starts at that
   * keyframe, before zero; a `'trim'` event says where.
   */
  start?: number;
  /** Stop at this time of the input, in seconds (ffmpeg's `-to`): frames from it on are not shown. */
  end?: number;
  /** Envelopes buffered ahead on the readable side (default 4). */
  highWaterMark?: number;
  /**
   * Keep the input's own timestamps (ffmpeg's `-copyts`). By default they are shifted so that the
   * input starts at zero, the offsets between its streams kept, as the ffmpeg command line does.
   */
  copyts?: boolean;
}

/** The label bytes written to a Demuxer have in errors. */
const BYTES_LABEL = 'input stream';

/** A selected stream of the input. @internal */
export interface Selected {
  index: number;
  kind: StreamKind;
  timeBase: Rational;
  streamId: number;
  /** Subtracted from every timestamp of the stream (the input's start time in its time base). */
  offset: bigint;
  /** With `end`: the first timestamp (after the shift) that is past it. */
  end?: bigint;
  /** No packet of the stream is wanted any more (past `end`). */
  done?: boolean;
}

/** A time option: seconds, finite and not negative. */
function checkTime(field: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new ConfigError(field, `must be a number of seconds ≥ 0 (got ${String(v)})`);
  return v;
}

/**
 * FFmpeg's input format object for a demuxer name, or a ConfigError listing the closest names.
 * A name FFmpeg has only among its devices (`lavfi`, `v4l2`, `alsa`, `x11grab`) loads
 * libavdevice first (see the fork's loadDevices: it is not loaded with the addon).
 */
function inputFormat(name: string): { iformat: unknown; device: boolean } {
  const bc = beamcoder() as unknown as { demuxers(): Record<string, unknown>; loadDevices(load: boolean): string[] };
  // FFmpeg names some demuxers with their aliases ('mov,mp4,m4a,3gp,3g2,mj2'): any of them will do, as with -f.
  const find = (all: Record<string, unknown>): string | undefined => Object.keys(all).find((k) => k === name || k.split(',').includes(name));
  let all = bc.demuxers();
  let key = find(all);
  // The devices registered so far, without loading libavdevice for a name that is no device.
  if (key) return { iformat: all[key], device: bc.loadDevices(false).includes(key) };
  try {
    const devices = bc.loadDevices(true);
    all = bc.demuxers();
    key = find(all);
    if (key) return { iformat: all[key], device: devices.includes(key) };
  } catch {
    // No libavdevice on this machine: the name is unknown, as below.
  }
  const near = closestNames(name, Object.keys(all));
  throw new ConfigError('format', `'${name}' is not an input format FFmpeg has here${near.length ? `; closest: ${near.join(', ')}` : ''}`, near);
}

/**
 * The machinery of every demuxing source: opening (a path, a URL or bytes), stream choice,
 * descriptors, zero-based timestamps, batched reads, teardown. `deliver` decides what a packet
 * becomes.
 * @internal
 */
export abstract class DemuxStream extends Duplex {
  /** The path or URL read, or `'input stream'` for bytes. */
  readonly url: string;
  protected readonly opts: DemuxerOptions;
  #bytes: ByteInput | undefined;
  #checked: CheckedInput | undefined;
  #demuxer: BeamDemuxer | undefined;
  #iformat: unknown;
  protected readonly streams = new Map<number, Selected>();
  /** Packets read but not yet delivered (a batch read from a regular file). */
  #queue: Packet[] = [];
  #batchRead = false;
  #pulling = false;
  #wanted = false;
  /** A start was asked for: timestamps are shifted past it and decoders drop what precedes it. */
  #cut = false;
  #keyframeSaid = false;
  /** The seek to a cut is checked at the first packet; packets of other streams wait here. */
  #verifying = false;
  #held: Packet[] = [];
  #ended = false;
  #inflight: Promise<unknown> | undefined;

  constructor(opts: DemuxerOptions) {
    // Reading its own input, the writable side only refuses bytes and ends with the reading.
    const own = opts.input !== undefined;
    super({ readableObjectMode: true, readableHighWaterMark: opts.highWaterMark ?? 4, writableHighWaterMark: 64 << 10, allowHalfOpen: !own });
    this.opts = opts;
    const start = checkTime('start', opts.start);
    const end = checkTime('end', opts.end);
    if (end !== undefined && end <= (start ?? 0)) throw new ConfigError('end', `must be after start (${start ?? 0} s); got ${end} s`);
    const format = opts.format !== undefined ? inputFormat(opts.format) : undefined;
    this.#iformat = format?.iformat;
    if (opts.input !== undefined && format?.device) {
      // A device's input is its own name (a /dev node, a filter graph for lavfi): no file to
      // check and no protocol involved. Devices are opened only when asked for by format.
      if (typeof opts.input !== 'string' || opts.input.length === 0) throw new ConfigError('input', `must name the ${opts.format} device's input`);
      this.#checked = { url: opts.input, isUrl: true, regularFile: false, protocols: [] };
      this.url = opts.input;
    } else if (opts.input !== undefined) {
      this.#checked = checkInput(opts.input, opts, 'input');
      this.#batchRead = this.#checked.regularFile;
      this.url = opts.input;
    } else {
      checkInputOptions(opts);
      this.url = BYTES_LABEL;
      this.#bytes = new ByteInput({ label: BYTES_LABEL, spool: opts.spool === true });
    }
  }

  /** Registers a native call, so that destroy can wait for it. */
  protected track<T>(p: Promise<T>): Promise<T> {
    const run = this.#bytes ? this.#bytes.call(p) : p;
    this.#inflight = run.catch(() => undefined);
    return run;
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (!this.#bytes) return cb(new ConfigError('input', `this Demuxer reads ${this.url} itself and takes no bytes`));
    this.#bytes.write(chunk, cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    if (!this.#bytes) return cb();
    this.#bytes.end(cb);
  }

  override _read(): void {
    // Node asks again only after a push: a request that arrives while a pull is finishing (it
    // pushed, then awaited) must start the next pull, or reading stops for good.
    if (this.#pulling) {
      this.#wanted = true;
      return;
    }
    this.#pulling = true;
    this.#wanted = false;
    this.#pull().then(
      () => {
        this.#pulling = false;
        if (this.#wanted && !this.destroyed) this._read();
      },
      (err: unknown) => {
        this.#pulling = false;
        this.destroy(err instanceof Error ? err : new Error(String(err)));
      },
    );
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    const closing = this.#bytes?.close();
    Promise.all([this.#inflight, closing]).then(() => {
      this.#bytes?.release();
      this.releaseStreams();
      this.streams.clear();
      this.#queue = [];
      this.#demuxer = undefined;
      cb(err ?? cutShort(this));
    });
  }

  /** Drops what subclasses hold per stream (called once, after the last native call). */
  protected releaseStreams(): void {}

  async #openDemuxer(): Promise<BeamDemuxer> {
    const bc = beamcoder();
    const iformat = this.#iformat !== undefined ? { iformat: this.#iformat } : {};
    if (!this.#bytes) {
      const options = this.#checked!.protocols.length > 0 ? demuxerOptions(this.#checked!) : {};
      return this.track(bc.demuxer({ url: this.url, options, ...iformat } as never));
    }
    await this.#bytes.ready(OPEN_AHEAD_BYTES);
    const src = this.#bytes.source();
    if ('path' in src) {
      this.#batchRead = true;
      const dm = await this.track(bc.demuxer({ url: src.path, options: { protocol_whitelist: 'file' }, ...iformat } as never));
      this.#bytes.opened();
      return dm;
    }
    // No protocol at all for bytes: a playlist or concat list among them cannot reach anything.
    const protocols = this.opts.protocols?.join(',') || 'none';
    return this.track(bc.demuxer({ governor: src.governor, options: { protocol_whitelist: protocols }, ...iformat } as never));
  }

  /** The native demuxer opened on the input, or the InputError saying why it cannot be. */
  async #opened(): Promise<BeamDemuxer> {
    try {
      return await this.#openDemuxer();
    } catch (err) {
      if (InputError.isInstance(err)) throw err;
      if (this.#bytes && this.#bytes.bytes === 0) throw new InputError(this.url, 'is empty', { cause: err });
      throw openFailure(this.url, err);
    }
  }

  /**
   * Opens the input's demuxer for `probe()` without reading on: the caller describes it, closes
   * it (`forceClose`) and then destroys this stream.
   * @internal
   */
  _openForProbe(): Promise<BeamDemuxer> {
    return this.#opened();
  }

  /** The size of the regular file read (`input`), when it is one. @internal */
  _inputSize(): number | undefined {
    return this.#checked?.size;
  }

  async #open(): Promise<void> {
    const dm = await this.#opened();
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
    const subs = this.#subtitles(dm, language);
    if (v === undefined && a === undefined && subs.length === 0) {
      throw new InputError(this.url, `has no ${this.opts.video === false ? 'audio' : this.opts.audio === false ? 'video' : 'audio or video'} stream`);
    }
    if (this.opts.video !== undefined && this.opts.video !== false && v === undefined) {
      const cover = dm.streams.find((s) => s.codecpar.codec_type === 'video' && coverArt(s));
      throw new InputError(this.url, cover ? `has no video stream, only cover art (stream ${cover.index}: pass video: ${cover.index} to take it)` : 'has no video stream');
    }
    if (this.opts.audio !== undefined && this.opts.audio !== false && a === undefined) throw new InputError(this.url, 'has no audio stream');
    // The input's start (AV_TIME_BASE units), as ffmpeg's ts_offset takes it.
    const start = (dm as unknown as { start_time?: number | null }).start_time;
    const inputStartUs = typeof start === 'number' && Number.isFinite(start) && BigInt(start) !== NOPTS ? BigInt(start) : 0n;
    const cutUs = BigInt(Math.round((this.opts.start ?? 0) * 1e6));
    // The cut counts from the input's start, as ffmpeg's -ss does; -copyts keeps the source's times.
    const startUs = (this.opts.copyts ? 0n : inputStartUs) + cutUs;
    if (cutUs > 0n) {
      try {
        await this.track(dm.seek({ time: Number(inputStartUs + cutUs) / 1e6, backward: true } as never));
        this.#verifying = true;
      } catch {
        // An input that cannot seek (bytes, a pipe) is read from its beginning; nothing is lost.
      }
      if (this.destroyed) return;
    }
    const endUs = this.opts.end !== undefined ? BigInt(Math.round(this.opts.end * 1e6)) - cutUs : undefined;
    this.#cut = cutUs > 0n;
    for (const index of [v, a, ...subs]) {
      if (index === undefined) continue;
      const st = dm.streams[index]!;
      const kind = st.codecpar.codec_type as StreamKind;
      const tb = st.time_base as [number, number];
      const timeBase = { num: tb[0], den: tb[1] };
      const offset = startUs === 0n ? 0n : rescale(startUs, { num: 1, den: 1_000_000 }, timeBase);
      const sel: Selected = { index, kind, timeBase, streamId: this.streams.size, offset };
      if (endUs !== undefined) sel.end = rescale(endUs, { num: 1, den: 1_000_000 }, timeBase);
      const coded = this.codedDescriptor(st as unknown as Record<string, unknown>, sel);
      this.streams.set(index, sel);
      this.push(this.announce(st, sel, coded));
    }
  }

  /** The subtitle streams asked for (see `subtitles`), in the file's order. */
  #subtitles(dm: BeamDemuxer, language: (st: { metadata?: unknown }) => string | undefined): number[] {
    const want = this.opts.subtitles;
    if (want === undefined || want === false) return [];
    const all = dm.streams.filter((s) => s.codecpar.codec_type === 'subtitle');
    if (want === true) return all.map((s) => s.index);
    if (typeof want === 'number') {
      if (!all.some((s) => s.index === want)) throw new ConfigError('subtitles', `stream ${want} of ${this.url} is not a subtitle stream; its subtitle streams: ${all.map((s) => s.index).join(', ') || 'none'}`);
      return [want];
    }
    const found = all.filter((s) => language(s)?.toLowerCase() === want.toLowerCase());
    if (found.length === 0) {
      const have = all.map((s) => `${s.index}: ${language(s) ?? 'no language'}`);
      throw new ConfigError('subtitles', `${this.url} has no subtitle stream in language '${want}'; its subtitle streams: ${have.join(', ') || 'none'}`, have);
    }
    return found.map((s) => s.index);
  }

  /**
   * What a selected stream's descriptor becomes downstream (the coded one here; decoding sources
   * open their decoder and describe frames).
   */
  protected announce(_st: BeamDemuxer['streams'][number], _sel: Selected, coded: StreamDescriptor): StreamDescriptor {
    return coded;
  }

  /** The coded descriptor of a selected stream. */
  protected codedDescriptor(st: Record<string, unknown>, sel: Selected): StreamDescriptor {
    const par = st.codecpar as Record<string, unknown>;
    const rate = (st.avg_frame_rate as [number, number] | undefined) ?? (st.r_frame_rate as [number, number] | undefined);
    let dur: bigint | undefined = typeof st.duration === 'number' && st.duration > 0 ? BigInt(st.duration) : undefined;
    // Matroska and WebM give the length only for the whole file (in AV_TIME_BASE units).
    const whole = (this.#demuxer as unknown as { duration?: number | null } | undefined)?.duration;
    if (dur === undefined && typeof whole === 'number' && whole > 0) dur = rescale(BigInt(whole), { num: 1, den: 1_000_000 }, sel.timeBase);
    const codecpar = codecParametersFrom(par, sel.kind, String(par.name));
    const matrix = sel.kind === 'video' ? displayMatrixFrom(st.side_data) : undefined;
    const lang = (st.metadata as Record<string, unknown> | undefined)?.language;
    const cut = this.#cut || sel.end !== undefined;
    if (cut && dur !== undefined) {
      // The cut's length, as far as the input reaches.
      const cutTs = rescale(BigInt(Math.round((this.opts.start ?? 0) * 1e6)), { num: 1, den: 1_000_000 }, sel.timeBase);
      const left = dur > cutTs ? dur - cutTs : 0n;
      dur = sel.end !== undefined && sel.end < left ? sel.end : left;
    }
    return {
      type: 'stream', streamId: sel.streamId, kind: sel.kind, timeBase: sel.timeBase, codecpar, coded: true,
      ...(cut ? { trim: { ...(this.#cut ? { from: 0n } : {}), ...(sel.end !== undefined ? { to: sel.end } : {}) } } : {}),
      ...(sel.kind === 'video' && rate && rate[0] > 0 && rate[1] > 0 ? { frameRate: reduce(rate) } : {}),
      ...(dur !== undefined ? { duration: dur } : {}),
      ...(matrix ? { displayMatrix: matrix } : {}),
      ...(typeof lang === 'string' && lang !== '' && lang !== 'und' ? { language: lang } : {}),
    };
  }

  /** Hands a packet of a selected stream on (shifted to zero already); false once the consumer is full. */
  protected deliver(sel: Selected, packet: Packet): Promise<boolean> | boolean {
    return this.push({ type: 'packet', kind: sel.kind, packet, streamId: sel.streamId, timeBase: sel.timeBase } satisfies Envelope);
  }

  /** Stream copy of a cut starts at a keyframe: say where, against the start asked. */
  #sayKeyframe(sel: Selected, packet: Packet): void {
    this.#keyframeSaid = true;
    const pts = packet.pts ?? packet.dts;
    if (pts === null || pts === undefined) return;
    const at = (Number(pts) * sel.timeBase.num) / sel.timeBase.den;
    const requested = this.opts.start ?? 0;
    /** The time asked, and the keyframe the packets start from (seconds of the input). */
    this.emit('trim', { start: requested, keyframe: requested + at });
  }

  /** Before the end: subclasses drain what they hold. */
  protected async finishStreams(): Promise<void> {}

  async #pull(): Promise<void> {
    if (!this.#demuxer) {
      await this.#open();
      if (this.destroyed) return;
    }
    for (;;) {
      if (this.#ended || this.destroyed) return;
      const packet = this.#held.length > 0 && !this.#verifying ? this.#held.shift()! : await this.#nextPacket();
      if (this.destroyed) return;
      if (!packet) {
        await this.#end();
        return;
      }
      const sel = this.streams.get(packet.stream_index);
      if (!sel || sel.done) continue;
      if (this.#verifying && !(await this.#verifySeek(sel, packet))) continue;
      if (sel.offset !== 0n) shift(packet, sel.offset);
      if (this.#cut && !this.#keyframeSaid && sel.kind === 'video') this.#sayKeyframe(sel, packet);
      if (sel.end !== undefined && pastEnd(packet, sel.end)) {
        // Decode order: once a packet's dts is past the end, no later packet shows before it.
        sel.done = true;
        if ([...this.streams.values()].every((s) => s.done)) {
          await this.#end();
          return;
        }
        continue;
      }
      const more = await this.deliver(sel, packet);
      if (!more || this.destroyed) return;
    }
  }

  async #end(): Promise<void> {
    this.#ended = true;
    // Bytes after the end the demuxer found (trailing data) are taken and dropped, so the
    // source is never held waiting for a reader that has finished.
    void this.#bytes?.close();
    await this.finishStreams();
    if (!this.destroyed) this.push(null);
  }

  /**
   * After the seek to a cut: the first packet of the first stream (video when there is one) must
   * be a keyframe at or before the cut, or frames between it and the cut could not be decoded.
   * Without an index (MPEG-TS) FFmpeg's seek can land after it: the input is then read from
   * its first byte instead. Packets of the other streams wait until this is known. Answers
   * whether `packet` goes on now.
   */
  async #verifySeek(sel: Selected, packet: Packet): Promise<boolean> {
    const anchor = [...this.streams.values()][0]!;
    if (sel !== anchor) {
      this.#held.push(packet);
      return false;
    }
    this.#verifying = false;
    const t = packet.pts ?? packet.dts;
    const key = (packet as unknown as { flags?: { KEY?: boolean } }).flags?.KEY === true;
    if (key && t !== null && t !== undefined && BigInt(t) - sel.offset <= 0n) return true;
    this.#held = [];
    this.#queue = [];
    try {
      await this.track(this.#demuxer!.seek({ pos: 0 } as never));
    } catch (err) {
      throw toFFmpegError(`seek back to the start of ${this.url}`, err);
    }
    return false;
  }

  /** The next packet: from the batch read last, else from the demuxer (null at the end). */
  async #nextPacket(): Promise<Packet | null> {
    const queued = this.#queue.shift();
    if (queued) return queued;
    const dm = this.#demuxer!;
    try {
      if (this.#bytes && !this.#batchRead) await this.#bytes.ready(READ_AHEAD_BYTES);
      // Bytes are read in batches too while plenty are queued (or all have arrived): then a
      // batch does not wait for bytes that are not there yet.
      const batch = this.#batchRead || (this.#bytes !== undefined && this.#bytes.hasAhead(BATCH_AHEAD_BYTES));
      if (!batch) return await this.track(dm.read());
      // The patched addon's read(n) answers with an array (empty at the end).
      const got = await this.track((dm.read as unknown as (n: number) => Promise<Packet[] | Packet | null>)(READ_BATCH));
      this.#queue = Array.isArray(got) ? got : got ? [got] : [];
      return this.#queue.shift() ?? null;
    } catch (err) {
      throw toFFmpegError(`read ${this.url}`, err);
    }
  }

  /** Takes the queued packets of one stream out of the batch, in order and shifted; the others stay queued. */
  protected takeQueued(streamIndex: number, offset: bigint): Packet[] {
    const taken = this.#queue.filter((p) => p.stream_index === streamIndex);
    if (taken.length > 0) this.#queue = this.#queue.filter((p) => p.stream_index !== streamIndex);
    if (offset !== 0n) for (const p of taken) shift(p, offset);
    return taken;
  }
}

/** Whether a packet is past a stream's end: by dts (decode order) when it has one. */
function pastEnd(p: Packet, end: bigint): boolean {
  const t = p.dts ?? p.pts;
  return t !== null && t !== undefined && BigInt(t) !== NOPTS && BigInt(t) >= end;
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

/**
 * Demuxes bytes written to it (or the file or URL of `input`) into stream descriptors and
 * packet envelopes: the first stage after a byte source, before a {@link Decoder}, or a
 * Rescaler and Muxer for stream copy.
 *
 * @example
 * ```ts
 * // An HTTP upload to HLS as it arrives: a slow encoder slows the upload.
 * await pipeline(req, new Demuxer(), new Decoder(), new Encoder(cfg), new Rescaler(), new Muxer({ format: 'hls', output: dir }));
 * ```
 */
export class Demuxer extends DemuxStream {
  constructor(opts: DemuxerOptions = {}) {
    super(opts);
  }
}
