/**
 * `decodeFile()` and `demuxFile()`: frame and packet sources over a file or
 * URL. `demuxFile` is a {@link Demuxer} with `input`; `decodeFile` is the
 * Demuxer's machinery with each selected stream decoded in the same source
 * (the {@link Decoder} stage's per-stream decoding, without an object-mode hop
 * in between), so `decodeFile(path)` gives what
 * `pipeline(new Demuxer({ input: path }), new Decoder())` gives.
 *
 * Protocol (beyond the Demuxer's; see demuxer.ts and decoder.ts)
 * - first read: each selected stream's decoder opens as the demuxer does
 *   (hardware negotiated with `hwaccel`: `source.hardware` and a
 *   `'hardware'` event), and the descriptor sent describes frames (upright by
 *   default: `autorotate`).
 * - read: the audio packets of a batch read from a regular file are decoded
 *   in one call per stream (a trip to libuv's pool costs more than decoding one
 *   AAC frame); video packets one at a time, so frames leave as soon as each
 *   is decoded. The file is never read more than one batch ahead.
 * - a packet a decoder refuses is skipped, counted and reported as a
 *   `'decodeError'` event; `onDecodeError: 'fail'` makes it fatal.
 * - end: each decoder is drained (its delayed frames pushed), then the end.
 * - destroy: waits for the native call in flight, then drops the demuxer and
 *   decoders once.
 */
import { ConfigError } from '../errors.js';
import type { Envelope, MediaKind, StreamDescriptor } from '../envelopes.js';
import type { BeamDemuxer, CodecPar, Frame, Packet } from '../native.js';
import type { HardwareDecodeChoice } from '../hw-devices.js';
import { checkDecodeOptions, decodedDescriptor, StreamDecoder, type DecodeOptions } from '../decoder.js';
import { Demuxer, DemuxStream, type DemuxerOptions, type Selected } from './demuxer.js';

/** Options of {@link decodeFile} and {@link demuxFile}. */
export interface DemuxOptions extends Omit<DemuxerOptions, 'input' | 'spool'>, DecodeOptions {}

function withInput(pathOrUrl: string, opts: DemuxOptions): DemuxerOptions {
  if (typeof pathOrUrl !== 'string' || pathOrUrl.length === 0) throw new ConfigError('path', 'must be a file path or URL');
  return { ...opts, input: pathOrUrl };
}

/** A frame source that demuxes and decodes a file (or an allowed URL). */
export class DecodeSource extends DemuxStream {
  #decoders = new Map<number, StreamDecoder>();
  readonly #decode: DecodeOptions;
  /** The hardware decode negotiation's outcome (with `hwaccel`), once the video decoder is open. */
  hardware: HardwareDecodeChoice | undefined;
  /** Packets the decoders refused and that were skipped (see `onDecodeError`). */
  decodeErrors = 0;

  constructor(pathOrUrl: string, opts: DemuxOptions = {}) {
    checkDecodeOptions(opts);
    if (opts.subtitles !== undefined && opts.subtitles !== false) {
      throw new ConfigError('subtitles', 'subtitles are carried in stream copy (demuxFile, or a Demuxer before the Rescaler); decodeFile decodes video and audio');
    }
    super(withInput(pathOrUrl, opts));
    this.#decode = opts;
  }

  protected override announce(st: BeamDemuxer['streams'][number], sel: Selected, coded: StreamDescriptor): StreamDescriptor {
    const { descriptor, upright } = decodedDescriptor(coded, this.#decode.autorotate !== false);
    const label = `${this.url} stream ${sel.index}`;
    // decodeFile selects no subtitles (its constructor refuses them): a stream here is video or audio.
    const dec = new StreamDecoder(st.codecpar as CodecPar, sel.kind as MediaKind, sel.timeBase, label, this.#decode, upright, (p) => this.track(p), coded.trim);
    if (dec.hardware) {
      this.hardware = dec.hardware;
      this.emit('hardware', dec.hardware);
    }
    this.#decoders.set(sel.index, dec);
    return descriptor;
  }

  protected override async deliver(sel: Selected, packet: Packet): Promise<boolean> {
    const dec = this.#decoders.get(sel.index)!;
    // Audio packets of this stream waiting in the batch go in the same call; video packets go
    // one at a time, and so does everything when the first refusal must end the source.
    const batch = sel.kind === 'audio' && this.#decode.onDecodeError !== 'fail';
    const run = batch ? [packet, ...this.takeQueued(packet.stream_index, sel.offset)] : [packet];
    const { frames, errors } = await dec.decode(run);
    if (this.destroyed) return false;
    for (const e of errors) this.#refused(dec, e);
    let more = true;
    for (const f of frames) more = this.#push(sel, f) && more;
    return more;
  }

  #refused(dec: StreamDecoder, err: unknown): void {
    const error = dec.decodeError(err);
    if (this.destroyed || this.#decode.onDecodeError === 'fail') throw error;
    this.decodeErrors++;
    this.emit('decodeError', error);
  }

  #push(sel: Selected, frame: Frame): boolean {
    return this.push({ type: 'frame', kind: sel.kind as MediaKind, frame, streamId: sel.streamId, timeBase: sel.timeBase } satisfies Envelope);
  }

  protected override async finishStreams(): Promise<void> {
    for (const sel of this.streams.values()) {
      const frames = await this.#decoders.get(sel.index)!.flush();
      for (const f of frames) this.#push(sel, f);
    }
  }

  protected override releaseStreams(): void {
    for (const dec of this.#decoders.values()) dec.release();
    this.#decoders.clear();
  }
}

/** A packet source: demuxes without decoding, for stream copy. */
export class DemuxPacketSource extends Demuxer {
  constructor(pathOrUrl: string, opts: DemuxOptions = {}) {
    if (opts.hwaccel !== undefined && opts.hwaccel !== 'none') throw new ConfigError('hwaccel', 'only decodeFile decodes; demuxFile passes packets through');
    super(withInput(pathOrUrl, opts));
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
