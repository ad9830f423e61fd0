/**
 * Re-chunks audio into frames of a fixed number of samples (AAC takes 1024,
 * Opus 960 at 48 kHz), whatever sizes arrive. Timestamps are counted, not
 * carried: output frame k starts at `firstPts + k·size` samples, in BigInt,
 * so an hour of audio (or a week) ends exactly where its sample count says —
 * no float accumulates, no rounding of the input's pts creeps in.
 * @internal
 */
import { beamcoder, type Frame } from '../native.js';

const BYTES: Record<string, number> = { u8: 1, s16: 2, s32: 4, flt: 4, dbl: 8, s64: 8 };

/** Bytes per sample and planarity of an FFmpeg sample format name. */
export function sampleFormatInfo(fmt: string): { bytes: number; planar: boolean } {
  const planar = fmt.endsWith('p');
  const base = planar ? fmt.slice(0, -1) : fmt;
  const bytes = BYTES[base];
  if (!bytes) throw new RangeError(`unknown sample format ${fmt}`);
  return { bytes, planar };
}

/** The pure timestamp rule, separate so it can be checked over very long runs cheaply. */
export class ChunkClock {
  #emitted = 0n;
  constructor(
    readonly firstPts: bigint,
    readonly size: number,
  ) {}
  /** pts of the next chunk of `count` samples. */
  next(count: number): bigint {
    const pts = this.firstPts + this.#emitted;
    this.#emitted += BigInt(count);
    return pts;
  }
  get emittedSamples(): bigint {
    return this.#emitted;
  }
}

interface Pending {
  planes: Buffer[];
  offset: number; // samples already taken
  count: number; // samples in this frame
}

export class AudioChunker {
  readonly #pending: Pending[] = [];
  #buffered = 0;
  #clock: ChunkClock | undefined;
  readonly #info: { bytes: number; planar: boolean };

  constructor(
    readonly size: number,
    readonly format: string,
    readonly sampleRate: number,
    readonly channels: number,
    readonly channelLayout: string,
  ) {
    this.#info = sampleFormatInfo(format);
  }

  /** Add a frame (pts in 1/sampleRate) and return every full chunk now available. */
  push(frame: Frame, pts: bigint): Frame[] {
    this.#clock ??= new ChunkClock(pts, this.size);
    if (this.#buffered === 0 && frame.nb_samples === this.size) {
      // Already a whole chunk (AAC in, AAC out): pass it on, restamped, without a copy.
      frame.pts = Number(this.#clock.next(this.size));
      return [frame];
    }
    const planes = this.#info.planar ? frame.data.slice(0, this.channels) : [frame.data[0]!];
    if (frame.nb_samples > 0) {
      this.#pending.push({ planes, offset: 0, count: frame.nb_samples });
      this.#buffered += frame.nb_samples;
    }
    const out: Frame[] = [];
    while (this.#buffered >= this.size) out.push(this.#take(this.size));
    return out;
  }

  /** The remaining samples as one short frame (or nothing). */
  flush(): Frame[] {
    return this.#buffered > 0 ? [this.#take(this.#buffered)] : [];
  }

  #take(n: number): Frame {
    const pts = this.#clock!.next(n);
    const frame = beamcoder().frame({
      format: this.format, sample_rate: this.sampleRate, channels: this.channels,
      channel_layout: this.channelLayout, nb_samples: n, pts: Number(pts),
    }).alloc();
    const dst = frame.data;
    const planeCount = this.#info.planar ? this.channels : 1;
    const unit = this.#info.bytes * (this.#info.planar ? 1 : this.channels);
    let filled = 0;
    while (filled < n) {
      const p = this.#pending[0]!;
      const take = Math.min(n - filled, p.count - p.offset);
      for (let c = 0; c < planeCount; c++) {
        p.planes[c]!.copy(dst[c]!, filled * unit, p.offset * unit, (p.offset + take) * unit);
      }
      filled += take;
      p.offset += take;
      if (p.offset === p.count) this.#pending.shift();
    }
    this.#buffered -= n;
    return frame;
  }
}
