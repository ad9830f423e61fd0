/**
 * The Rescaler stage: timestamp hygiene between an Encoder (or a demuxer) and
 * a Muxer, per stream.
 *
 * Protocol
 * - construct: options validated; no native state.
 * - transform: a stream descriptor is passed on (with the output time base
 *   when one is asked for). Each packet is rescaled into the output time base
 *   with exact rounding (`rescale`, FFmpeg's av_rescale_q), given a duration
 *   when it has none (one frame for video, from the frame rate; for audio the
 *   codec's frame size), shifted so the earliest timestamp is zero when
 *   `startAtZero` is set, and its DTS made strictly increasing: the default policy nudges it to the
 *   previous DTS + 1 (and lifts a PTS that would fall below it), as the
 *   ffmpeg command line does; `dts: 'fail'` throws a TimestampError instead.
 * - startAtZero: one offset for all streams, so they stay in sync, and it is
 *   the earliest first timestamp of them all: the stream that starts first
 *   is not always the one whose packet comes first (an encoder's AAC priming
 *   starts 1024 samples before zero, its first packet after the first video
 *   packet). So packets are held until every described stream has sent one
 *   (at most 256 packets, for a stream that never does), as
 *   `-avoid_negative_ts make_zero` shifts by what the interleaved start is.
 * - flush: held packets go out with the offset of what arrived; destroy:
 *   nothing native to release (destroyed after its end was queued but before
 *   that end was read, it reports an AbortError, or pipeline() would never
 *   end the stage after it).
 */
import { Transform, type TransformCallback } from 'node:stream';
import {
  ConfigError, TimestampError, equalRational, rescale, toRational, NOPTS, type Envelope, type PacketEnvelope,
  type Rational, type RationalLike, type StreamDescriptor,
} from '@beamflow/core';
import { cutShort, validate } from '@beamflow/core/internal';

/** Options of {@link Rescaler}. */
export interface RescalerOptions {
  /** Output time base: one for all streams, or per kind. Default: each stream keeps its own. */
  timeBase?: RationalLike | { video?: RationalLike; audio?: RationalLike };
  /** What to do with a DTS that does not increase: nudge it (default) or fail. */
  dts?: 'nudge' | 'fail';
  /** Shift all streams so the first timestamp is zero. Default false. */
  startAtZero?: boolean;
}

/** Packets a startAtZero Rescaler holds at most while a described stream has sent none. */
const START_HOLD = 256;

interface StreamTiming {
  desc: StreamDescriptor;
  out: Rational;
  lastDts: bigint | undefined;
  defaultDuration: bigint;
}

/**
 * Make packet timestamps valid for muxing.
 *
 * @example
 * ```ts
 * await pipeline(src, new Encoder(cfg), new Rescaler({ startAtZero: true }), new Muxer({ format: 'mpegts' }), sink);
 * ```
 */
export class Rescaler extends Transform {
  readonly #opts: RescalerOptions;
  readonly #streams = new Map<number, StreamTiming>();
  #offset: { value: bigint; tb: Rational } | undefined;
  /** startAtZero: packets waiting for every stream's first timestamp. */
  #held: PacketEnvelope[] = [];
  /** startAtZero: the earliest timestamp of each stream's first packet, in its output time base. */
  readonly #firsts = new Map<number, { value: bigint; tb: Rational }>();

  constructor(opts: RescalerOptions = {}) {
    super({ objectMode: true, highWaterMark: 16 });
    this.#opts = opts;
    if (opts.dts !== undefined) validate.oneOf('dts', opts.dts, ['nudge', 'fail'] as const);
    if (opts.timeBase !== undefined) {
      const tb = opts.timeBase;
      if (typeof tb === 'object' && !Array.isArray(tb) && !('num' in tb)) {
        const per = tb as { video?: RationalLike; audio?: RationalLike };
        if (per.video !== undefined) validate.positiveRational('timeBase.video', per.video);
        if (per.audio !== undefined) validate.positiveRational('timeBase.audio', per.audio);
      } else validate.positiveRational('timeBase', tb);
    }
  }

  #outTb(desc: StreamDescriptor): Rational {
    const tb = this.#opts.timeBase;
    if (tb === undefined) return desc.timeBase;
    if (typeof tb === 'object' && !Array.isArray(tb) && !('num' in tb)) {
      const per = desc.kind === 'subtitle' ? undefined : (tb as { video?: RationalLike; audio?: RationalLike })[desc.kind];
      return per === undefined ? desc.timeBase : toRational(per);
    }
    return toRational(tb as RationalLike);
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    // Destroyed after its end was pushed but before the consumer read it: see cutShort.
    cb(err ?? cutShort(this));
  }

  override _transform(e: Envelope, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      if (e.type === 'stream') {
        const out = this.#outTb(e);
        const frameDur = e.kind === 'video' && e.frameRate
          ? rescale(1n, { num: e.frameRate.den, den: e.frameRate.num }, out)
          : e.kind === 'audio' && e.codecpar.frame_size && e.codecpar.sample_rate
            ? rescale(BigInt(e.codecpar.frame_size), { num: 1, den: e.codecpar.sample_rate }, out)
            : 0n;
        const prev = this.#streams.get(e.streamId);
        this.#streams.set(e.streamId, { desc: e, out, lastDts: prev?.lastDts, defaultDuration: frameDur });
        const d: StreamDescriptor = equalRational(out, e.timeBase) ? e : {
          ...e, timeBase: out, ...(e.duration !== undefined ? { duration: rescale(e.duration, e.timeBase, out) } : {}),
        };
        cb(null, d);
        return;
      }
      if (e.type === 'frame') throw new ConfigError('input', 'the Rescaler takes packets; frames must be encoded first');
      if (this.#opts.startAtZero && this.#offset === undefined) {
        this.#hold(e);
        cb();
        return;
      }
      cb(null, this.#packet(e));
    } catch (err) {
      cb(err as Error);
    }
  }

  override _flush(cb: TransformCallback): void {
    try {
      if (this.#held.length > 0) this.#release();
      cb();
    } catch (err) {
      cb(err as Error);
    }
  }

  #hold(e: PacketEnvelope): void {
    const s = this.#streams.get(e.streamId);
    if (!s) throw new TimestampError(e.streamId, 'packet before its stream descriptor');
    this.#held.push(e);
    if (!this.#firsts.has(e.streamId)) {
      const { pts, dts } = this.#times(e, s);
      this.#firsts.set(e.streamId, { value: dts < pts ? dts : pts, tb: s.out });
    }
    if (this.#firsts.size >= this.#streams.size || this.#held.length >= START_HOLD) this.#release();
  }

  /** Fix the offset from the first timestamps seen so far, then send the held packets on. */
  #release(): void {
    for (const f of this.#firsts.values()) {
      // f earlier than the offset so far: f.value·f.tb < o.value·o.tb, compared exactly.
      const o = this.#offset;
      if (!o || f.value * BigInt(f.tb.num) * BigInt(o.tb.den) < o.value * BigInt(o.tb.num) * BigInt(f.tb.den)) this.#offset = f;
    }
    const held = this.#held;
    this.#held = [];
    for (const e of held) this.push(this.#packet(e));
  }

  /** A packet's pts and dts in its stream's output time base (each filled from the other when missing). */
  #times(e: PacketEnvelope, s: StreamTiming): { pts: bigint; dts: bigint } {
    const p = e.packet;
    const same = equalRational(e.timeBase, s.out);
    const conv = (v: number | null | undefined): bigint | undefined => {
      if (v === null || v === undefined) return undefined;
      const b = BigInt(v);
      if (b === NOPTS) return undefined;
      return same ? b : rescale(b, e.timeBase, s.out);
    };
    let pts = conv(p.pts);
    let dts = conv(p.dts);
    if (dts === undefined) dts = pts;
    if (pts === undefined) pts = dts;
    if (pts === undefined || dts === undefined) throw new TimestampError(e.streamId, 'packet without pts or dts');
    return { pts, dts };
  }

  #packet(e: PacketEnvelope): PacketEnvelope {
    const s = this.#streams.get(e.streamId);
    if (!s) throw new TimestampError(e.streamId, 'packet before its stream descriptor');
    const p = e.packet;
    const from = e.timeBase;
    const same = equalRational(from, s.out);
    let { pts, dts } = this.#times(e, s);
    let duration = p.duration ? BigInt(p.duration) : 0n;
    if (duration > 0n && !same) duration = rescale(duration, from, s.out);
    if (duration <= 0n) duration = s.defaultDuration;
    if (this.#opts.startAtZero && this.#offset) {
      const off = equalRational(this.#offset.tb, s.out) ? this.#offset.value : rescale(this.#offset.value, this.#offset.tb, s.out);
      pts -= off;
      dts -= off;
    }
    if (s.lastDts !== undefined && dts <= s.lastDts) {
      if (this.#opts.dts === 'fail') {
        throw new TimestampError(e.streamId, `DTS ${dts} does not increase (previous ${s.lastDts}, time base ${s.out.num}/${s.out.den})`);
      }
      dts = s.lastDts + 1n;
      if (pts < dts) pts = dts;
    }
    if (pts < dts) pts = dts; // a PTS before its DTS is invalid in every container
    s.lastDts = dts;
    p.pts = Number(pts);
    p.dts = Number(dts);
    p.duration = Number(duration);
    return same ? e : { ...e, timeBase: s.out };
  }
}
