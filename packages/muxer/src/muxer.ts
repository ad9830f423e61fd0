/**
 * The Muxer stage: stream descriptors and packet envelopes in; container
 * bytes out (to the next stage) or into a file, an HLS/DASH directory or a
 * network URL.
 *
 * Configuration
 * - construct: options validated (format known to FFmpeg, output path or
 *   URL, HLS/DASH settings; segment names cannot leave the output directory).
 *   With `output`, the Muxer is itself the sink: its readable side is closed
 *   and `pipeline()` ends when the trailer is written. Without it, the
 *   readable side carries the container's bytes, through FFmpeg custom I/O
 *   (MP4 is then fragmented automatically, as a pipe cannot be seeked).
 *
 * Data processing
 * - Descriptors add streams (codec parameters copied from them: no manual
 *   codecpar copying). The header is written at the first packet, once every
 *   stream announced so far is known — the Encoder sends all descriptors
 *   before any packet. A descriptor arriving after the header is an error.
 * - HLS and DASH cut segments at keyframes: for each video descriptor that
 *   carries an `upstream` (an Encoder before it, through Rescalers and tees),
 *   the Muxer asks for a keyframe every segment duration, so segments come out
 *   as long as asked without the user setting a GOP size. Without one (stream
 *   copy) segments end at the source's keyframes, as with ffmpeg.
 * - Each packet is rescaled (exactly) into its stream's time base, which the
 *   container chose at the header, and written through FFmpeg's interleaving
 *   writer (audio and video ordered by DTS). For byte output the write only
 *   completes once the bytes were read, so a slow consumer holds the muxer,
 *   and through it every stage upstream. A plain file output takes packets
 *   in batches of up to 32, written in one native call each (one trip to
 *   libuv's pool instead of 32); outputs someone watches live (bytes, HLS,
 *   DASH, network URLs) get each packet at once.
 *
 * Shutdown
 * - end of input: the trailer is written (flushing the interleaving queue),
 *   then the output ends. Abort (destroy, an AbortSignal, a failed sink) with
 *   a file, HLS or DASH output also writes the trailer: the file plays and
 *   holds every packet the Muxer took before the abort (a held batch is
 *   written first).
 */
import { mkdirSync, statSync, unlinkSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import {
  CodecStage, ConfigError, InputError, Lifecycle, StateError, beamcoder, equalRational, rescale, toTuple, NOPTS,
  type BeamMuxer, type Envelope, type Packet, type PacketEnvelope, type Rational, type StreamDescriptor,
  type TransitionTable,
} from '@beamflow/core';
import { displayMatrixBytes, toFFmpegError, validate } from '@beamflow/core/internal';

/** Packets per native write for a plain file output. */
const BATCH = 32;

/** States of a Muxer. */
export type MuxerState = 'created' | 'headerWritten' | 'muxing' | 'trailerWritten' | 'closed' | 'error';

export const MUXER_TRANSITIONS: TransitionTable<MuxerState> = {
  created: ['headerWritten', 'trailerWritten', 'error', 'closed'],
  headerWritten: ['muxing', 'trailerWritten', 'error', 'closed'],
  muxing: ['trailerWritten', 'error', 'closed'],
  trailerWritten: ['closed', 'error'],
  error: ['closed'],
  closed: [],
};

/** HLS settings. */
export interface HlsOptions {
  /** Target segment length in seconds (default 4). */
  segmentDuration?: number;
  /** 'vod' writes a complete playlist at the end; 'event' appends; 'live' keeps a sliding window. */
  playlistType?: 'vod' | 'event' | 'live';
  /** Segments kept in a live playlist (default 6). */
  listSize?: number;
  /** Segment file name pattern inside the playlist's directory (default `segment_%05d.ts`). */
  segmentFilename?: string;
  /** 'mpegts' (default) or 'fmp4' segments. */
  segmentType?: 'mpegts' | 'fmp4';
}

/** DASH settings. */
export interface DashOptions {
  segmentDuration?: number;
}

/** Options of {@link Muxer}. */
export interface MuxerOptions {
  /** FFmpeg's muxer name: 'mp4', 'mpegts', 'matroska', 'webm', 'flv', 'adts', 'ogg', 'hls', 'dash', ... */
  format: string;
  /** A file path or URL (`rtmp://`, `srt://`, `udp://`). Absent: bytes on the readable side. */
  output?: string;
  /** MP4/MOV: move the index to the front (a second pass at the end). */
  faststart?: boolean;
  /** MP4/MOV: write fragments (always on for byte output). */
  fragmented?: boolean;
  hls?: HlsOptions;
  dash?: DashOptions;
  /** Extra muxer options (FFmpeg's AVOptions of this format), e.g. `{ mpegts_flags: 'resend_headers' }`. */
  options?: Record<string, string | number>;
  /** Number of streams to expect before writing the header (default: those described before the first packet). */
  streams?: number;
  signal?: AbortSignal;
  /** Bytes buffered on the readable side (default 64 KiB). */
  highWaterMark?: number;
}

/** Protocols a Muxer output may use; anything else with a scheme is refused. */
const OUTPUT_PROTOCOLS = ['file', 'rtmp', 'rtmps', 'srt', 'udp', 'tcp', 'rtp', 'http', 'https', 'icecast'];

interface MuxStream {
  index: number;
  desc: StreamDescriptor;
  timeBase: Rational | undefined;
}

/**
 * Write packets into a container.
 *
 * @example
 * ```ts
 * await pipeline(src, new Encoder(cfg), new Rescaler(), new Muxer({ format: 'mp4', output: 'out/x.mp4', faststart: true }));
 * await pipeline(src, new Encoder(cfg), new Rescaler(), new Muxer({ format: 'mpegts' }), createWriteStream('out/x.ts'));
 * ```
 */
export class Muxer extends CodecStage<Envelope, Buffer> {
  readonly options: MuxerOptions;
  readonly #life = new Lifecycle<MuxerState>('created', MUXER_TRANSITIONS, 'Muxer');
  readonly #streams = new Map<number, MuxStream>();
  readonly #pending: PacketEnvelope[] = [];
  #mux: BeamMuxer | undefined;
  #governor: { read(n: number): Promise<Buffer>; finish(): void } | undefined;
  #reader: Promise<void> | undefined;
  #discard = false;
  #packets = 0;
  /** Packets taken and not yet written (plain file outputs only; see #batched). */
  readonly #held: PacketEnvelope[] = [];
  /** A plain file: nobody reads it while it is written, so packets may wait for a batch. */
  readonly #batched: boolean;
  /** The header is written and the trailer is not: the state may already say 'error' when destroy() runs. */
  #trailerPending = false;
  readonly #output: string | undefined;
  readonly #muxOptions: Record<string, string | number>;
  /** HLS/DASH segment length: the keyframe interval asked of the Encoder upstream. */
  readonly #segmentSeconds: number | undefined;

  constructor(options: MuxerOptions) {
    const toBytes = options?.output === undefined;
    super({ readableBytes: true, writableHighWaterMark: 16, readableHighWaterMark: options?.highWaterMark ?? 1 << 16, ...(options?.signal ? { signal: options.signal } : {}) });
    if (typeof options !== 'object' || options === null) throw new ConfigError('options', 'must be an object with a format');
    this.options = options;
    this.#life.on('state', (c) => this.emit('state', c));
    const muxers = beamcoder().muxers() as Record<string, unknown>;
    if (typeof options.format !== 'string' || !(options.format in muxers)) {
      const names = Object.keys(muxers);
      const near = typeof options.format === 'string' ? names.filter((n) => n.includes(options.format) || options.format.includes(n)).slice(0, 6) : [];
      throw new ConfigError('format', `unknown container format ${JSON.stringify(options.format)}${near.length ? `; close matches: ${near.join(', ')}` : ''}`, near);
    }
    if (options.streams !== undefined) validate.positiveInt('streams', options.streams, 64);
    this.#output = toBytes ? undefined : checkOutput(options.output!);
    this.#batched = this.#output !== undefined && !/^[a-z][a-z0-9+.-]*:\/\//i.test(this.#output) && options.format !== 'hls' && options.format !== 'dash';
    if ((options.format === 'hls' || options.format === 'dash') && !this.#output) {
      throw new ConfigError('output', `${options.format} writes a playlist and segments: give output a playlist path`);
    }
    this.#muxOptions = this.#formatOptions(toBytes);
    const seg = this.#muxOptions.hls_time ?? this.#muxOptions.seg_duration;
    this.#segmentSeconds = seg === undefined ? undefined : Number(seg);
    if (!toBytes) {
      // The Muxer is the sink: nothing comes out of it. Its empty readable side is ended and
      // read at once, so that after the trailer the stream closes (emits 'close') like any sink.
      this.push(null);
      this.resume();
    }
  }

  /** The lifecycle state. */
  get state(): MuxerState {
    return this.#life.state;
  }

  /** The streams this Muxer was told about, in output order. */
  get streams(): StreamDescriptor[] {
    return [...this.#streams.values()].sort((a, b) => a.index - b.index).map((s) => s.desc);
  }

  /** Packets written so far. */
  get packetsWritten(): number {
    return this.#packets;
  }

  #formatOptions(toBytes: boolean): Record<string, string | number> {
    const o = this.options;
    const opts: Record<string, string | number> = {};
    const isMp4 = ['mp4', 'mov', 'ismv', 'ipod', 'f4v', '3gp'].includes(o.format);
    if (isMp4) {
      const flags: string[] = [];
      if (toBytes || o.fragmented) flags.push('frag_keyframe', 'empty_moov', 'default_base_moof');
      else if (o.faststart) flags.push('faststart');
      if (flags.length) opts.movflags = flags.map((f) => `+${f}`).join('');
    } else if (o.faststart) {
      throw new ConfigError('faststart', `only MP4/MOV outputs have an index to move (format is ${o.format})`);
    }
    if (o.format === 'hls') {
      const h = o.hls ?? {};
      const seg = h.segmentDuration === undefined ? 4 : validate.nonNegativeNumber('hls.segmentDuration', h.segmentDuration);
      if (seg <= 0) throw new ConfigError('hls.segmentDuration', 'must be > 0 seconds');
      const type = validate.oneOf('hls.playlistType', h.playlistType ?? 'vod', ['vod', 'event', 'live'] as const);
      const segType = validate.oneOf('hls.segmentType', h.segmentType ?? 'mpegts', ['mpegts', 'fmp4'] as const);
      const dir = dirname(this.#output!);
      const pattern = h.segmentFilename ?? (segType === 'fmp4' ? 'segment_%05d.m4s' : 'segment_%05d.ts');
      if (pattern.includes('/') || pattern.includes('\\') || pattern.includes('..') || pattern.startsWith('.')) {
        throw new ConfigError('hls.segmentFilename', `must be a plain file name inside the playlist's directory (got ${JSON.stringify(pattern)})`);
      }
      if (!/%0?\d*d/.test(pattern)) throw new ConfigError('hls.segmentFilename', 'needs a %d (or %05d) counter');
      opts.hls_time = seg;
      opts.hls_segment_filename = resolve(dir, pattern);
      opts.hls_segment_type = segType;
      if (type === 'live') {
        opts.hls_list_size = h.listSize === undefined ? 6 : validate.positiveInt('hls.listSize', h.listSize, 10_000);
        opts.hls_flags = 'delete_segments+independent_segments';
      } else {
        opts.hls_playlist_type = type;
        opts.hls_list_size = 0;
        opts.hls_flags = 'independent_segments';
      }
    }
    if (o.format === 'dash') {
      const seg = o.dash?.segmentDuration === undefined ? 4 : validate.nonNegativeNumber('dash.segmentDuration', o.dash.segmentDuration);
      if (seg <= 0) throw new ConfigError('dash.segmentDuration', 'must be > 0 seconds');
      opts.seg_duration = seg;
    }
    for (const [k, v] of Object.entries(o.options ?? {})) {
      if (typeof v !== 'string' && typeof v !== 'number') throw new ConfigError(`options.${k}`, 'must be a string or number');
      opts[k] = v;
    }
    return opts;
  }

  protected async handle(e: Envelope): Promise<void> {
    if (e.type === 'stream') {
      if (!e.coded) throw new InputError(`stream ${e.streamId}`, `the Muxer takes coded packets; stream ${e.streamId} carries raw ${e.kind} frames (put an Encoder before it)`);
      const known = this.#streams.get(e.streamId);
      if (this.#mux && !known) {
        throw new StateError(this.#life.state, 'headerWritten', `Muxer (stream ${e.streamId} announced after the header was written)`);
      }
      this.#streams.set(e.streamId, { index: known?.index ?? this.#streams.size, desc: e, timeBase: known?.timeBase });
      if (!known && e.kind === 'video' && this.#segmentSeconds !== undefined) e.upstream?.requestKeyframes({ every: this.#segmentSeconds });
      return;
    }
    if (e.type === 'frame') throw new InputError(`stream ${e.streamId}`, 'the Muxer takes packets, not frames (put an Encoder before it)');
    if (!this.#streams.has(e.streamId)) throw new InputError(`stream ${e.streamId}`, 'packet before its stream descriptor');
    if (!this.#mux) {
      if (this.options.streams !== undefined && this.#streams.size < this.options.streams) {
        this.#pending.push(e);
        if (this.#pending.length > 1000) throw new InputError('streams', `waited 1000 packets for ${this.options.streams} streams, have ${this.#streams.size}`);
        return;
      }
      await this.#writeHeader();
      for (const p of this.#pending.splice(0)) await this.#write(p);
    }
    if (this.#batched) {
      this.#held.push(e);
      if (this.#held.length >= BATCH) await this.#writeHeld();
      return;
    }
    await this.#write(e);
  }

  protected async finish(): Promise<void> {
    // A container with no streams cannot be written: an input that ended before anything was
    // announced (nothing decoded, so the Encoder never opened) is said, not a silent success
    // that leaves no file.
    if (!this.#mux && this.#streams.size === 0) {
      throw new InputError('input', 'ended before any stream was announced (nothing was encoded): there is nothing to write');
    }
    if (!this.#mux && this.#streams.size > 0) {
      await this.#writeHeader();
      for (const p of this.#pending.splice(0)) await this.#write(p);
    }
    await this.#writeHeld();
    await this.#trailer();
    this.#life.tryTo('closed');
  }

  protected async release(): Promise<void> {
    // Abort: a file keeps what was muxed — write its trailer so it plays.
    if (this.#mux && this.#trailerPending) {
      if (this.#output) {
        // release() runs once nothing is in flight: the held batch is written directly.
        await this.#writeHeld(true).catch(() => undefined);
        await this.#trailer().catch(() => undefined);
      } else {
        // Byte output: stop the I/O queue so no FFmpeg write can block, and drop what is
        // left. Never forceClose() here: it runs avio_close() on the custom I/O context,
        // which frees beamcoder's own buffer and closes its adaptor as if it were a URL —
        // heap corruption that crashed the process now and then. The context's finalizer
        // frees it correctly.
        this.#discard = true;
        this.#governor?.finish();
      }
    }
    else if (this.#output && !this.#trailerPending && this.#packets === 0 && !/^[a-z][a-z0-9+.-]*:\/\//i.test(this.#output)) {
      // Aborted before the header: leave no empty, unplayable file behind.
      try {
        if (statSync(this.#output).size === 0) unlinkSync(this.#output);
      } catch {
        // never created
      }
    }
    this.#governor?.finish();
    await this.#reader?.catch(() => undefined);
    this.#mux = undefined;
  }

  protected override lifecycle(): { tryTo(next: 'error' | 'closed'): boolean } {
    return this.#life;
  }

  async #writeHeader(): Promise<void> {
    const bc = beamcoder();
    const toBytes = this.#output === undefined;
    if (toBytes) {
      const gov = new (bc as unknown as { governor: new (o: { highWaterMark: number }) => { read(n: number): Promise<Buffer>; finish(): void } }).governor({ highWaterMark: 4 });
      this.#governor = gov;
      this.#mux = bc.muxer({ format_name: this.options.format, governor: gov } as never);
      this.#reader = this.#readLoop(gov);
    } else {
      this.#mux = bc.muxer({ format_name: this.options.format });
    }
    const mux = this.#mux;
    const ordered = [...this.#streams.values()].sort((a, b) => a.index - b.index);
    for (const s of ordered) {
      const cp = { ...s.desc.codecpar } as Record<string, unknown>;
      delete cp.codec_type;
      const st = mux.newStream({ name: s.desc.codecpar.name, time_base: toTuple(s.desc.timeBase), interleaved: true } as never);
      const par = st.codecpar as unknown as Record<string, unknown>;
      for (const [k, v] of Object.entries(cp)) {
        // The source container's codec tag ('avc1', 'mp4a' from MP4) may mean nothing to this
        // one (Matroska refuses it): let the muxer choose its own, as the ffmpeg command line does.
        if (k === 'name' || k === 'codec_tag' || v === undefined || v === null) continue;
        try {
          par[k] = v;
        } catch {
          // beamcoder refuses a few read-only fields on some codecs; they are derived anyway
        }
      }
      if (s.desc.displayMatrix) (st as unknown as { side_data: unknown }).side_data = { displaymatrix: displayMatrixBytes(s.desc.displayMatrix) };
      if (s.desc.language) (st as unknown as { metadata: unknown }).metadata = { language: s.desc.language };
      if (s.desc.frameRate) {
        const stream = st as unknown as Record<string, unknown>;
        stream.avg_frame_rate = toTuple(s.desc.frameRate);
        stream.r_frame_rate = toTuple(s.desc.frameRate);
      }
    }
    try {
      if (this.#output) {
        const url = this.#output;
        if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) mkdirSync(dirname(url), { recursive: true });
        if (this.options.format !== 'hls' && this.options.format !== 'dash') {
          await this.track(() => mux.openIO({ url }));
        } else {
          (mux as unknown as { url: string }).url = url;
          (mux as unknown as { filename?: string }).filename = url;
        }
      }
      // The flag is set inside the tracked call, so a destroy() that lands while the header is
      // being written sees it once the header succeeded — and never after it failed: beamcoder
      // segfaults on a trailer (or a packet) after a failed header.
      await this.track(() => (mux.writeHeader({ options: this.#muxOptions } as never) as Promise<unknown>).then((r) => {
        this.#trailerPending = true;
        return r;
      }));
    } catch (err) {
      // FFmpeg's own reason for a codec the container has no tag for is only in its log:
      // name the subtitle codecs, the usual cause in stream copy (MP4 takes mov_text only).
      const subs = ordered.filter((s) => s.desc.kind === 'subtitle').map((s) => `${s.desc.codecpar.name} (stream ${s.desc.streamId})`);
      const hint = subs.length > 0 ? `; ${this.options.format} may not take the subtitle codec ${subs.join(', ')}` : '';
      throw toFFmpegError(`write header (${this.options.format}${this.#output ? ` → ${this.#output}` : ''}${hint})`, err);
    }
    for (const s of this.#streams.values()) {
      const tb = (mux.streams[s.index] as unknown as { time_base: [number, number] }).time_base;
      s.timeBase = { num: tb[0], den: tb[1] };
    }
    this.#life.to('headerWritten');
  }

  /** Into the muxer's time base and stream index. */
  #prepare(e: PacketEnvelope): Packet {
    const s = this.#streams.get(e.streamId)!;
    const p = e.packet;
    const to = s.timeBase!;
    if (!equalRational(e.timeBase, to)) {
      const conv = (v: number | null | undefined) => (v === null || v === undefined || BigInt(v) === NOPTS ? v : Number(rescale(BigInt(v), e.timeBase, to)));
      p.pts = conv(p.pts) as number;
      p.dts = conv(p.dts) as number;
      if (p.duration) p.duration = Number(rescale(BigInt(p.duration), e.timeBase, to));
    }
    p.stream_index = s.index;
    return p;
  }

  async #write(e: PacketEnvelope, direct = false): Promise<void> {
    const p = this.#prepare(e);
    const mux = this.#mux!;
    try {
      await (direct ? mux.writeFrame(p) : this.track(() => mux.writeFrame(p)));
    } catch (err) {
      throw toFFmpegError(`write packet (stream ${e.streamId}, dts ${String(p.dts)})`, err);
    }
    this.#wrote(1);
  }

  async #writeHeld(direct = false): Promise<void> {
    const batch = this.#held.splice(0);
    if (batch.length === 0) return;
    if (batch.length === 1) return this.#write(batch[0]!, direct);
    const packets = batch.map((e) => this.#prepare(e));
    const mux = this.#mux!;
    // The patched addon takes an array: every packet in order, in one call.
    const writeAll = (): Promise<void> => (mux.writeFrame as unknown as (ps: Packet[]) => Promise<void>)(packets);
    try {
      await (direct ? writeAll() : this.track(writeAll));
    } catch (err) {
      throw toFFmpegError(`write ${packets.length} packets (from dts ${String(packets[0]!.dts)})`, err);
    }
    this.#wrote(packets.length);
  }

  #wrote(n: number): void {
    this.#packets += n;
    if (this.#life.is('headerWritten')) this.#life.to('muxing');
  }

  async #trailer(): Promise<void> {
    if (!this.#mux || !this.#trailerPending) return;
    this.#trailerPending = false;
    const mux = this.#mux;
    try {
      await mux.writeTrailer();
    } catch (err) {
      throw toFFmpegError('write trailer', err);
    } finally {
      this.#life.tryTo('trailerWritten');
    }
    await this.#reader;
  }

  /** Move container bytes from FFmpeg's custom I/O to the readable side, under backpressure. */
  async #readLoop(gov: { read(n: number): Promise<Buffer> }): Promise<void> {
    for (;;) {
      const chunk = await gov.read(1 << 16);
      if (chunk.length === 0) return;
      if (this.#discard || this.destroyed) continue;
      // Copy out of the addon's external memory so the consumer owns an ordinary Buffer.
      if (!this.pushOut(Buffer.from(chunk))) {
        await this.gate.wait().catch(() => {
          this.#discard = true;
        });
      }
    }
  }
}

function checkOutput(output: unknown): string {
  if (typeof output !== 'string' || output.length === 0) throw new ConfigError('output', 'must be a file path or URL');
  const m = /^([a-z][a-z0-9+.-]*):\/\//i.exec(output);
  if (m) {
    const proto = m[1]!.toLowerCase();
    if (!OUTPUT_PROTOCOLS.includes(proto)) {
      throw new ConfigError('output', `protocol ${proto}:// is not an output beamflow writes to; allowed: ${OUTPUT_PROTOCOLS.join(', ')}`, OUTPUT_PROTOCOLS);
    }
    return proto === 'file' ? resolve(output.slice('file://'.length)) : output;
  }
  const abs = resolve(output);
  if (output.endsWith('/') || output.endsWith(sep)) throw new ConfigError('output', `is a directory; give a file name (got ${output})`);
  return abs;
}

