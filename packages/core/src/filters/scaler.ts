/**
 * `Scaler`: changes the size and pixel format of video frames with FFmpeg's
 * swscale (through a `scale` filter graph). Audio frames and other envelopes
 * pass through untouched, in order.
 *
 * Protocol: see {@link FrameFilter} — a graph per video stream, opened from
 * the first frame's real size and format and reopened when they change (a
 * decoder that changes resolution mid-stream keeps producing frames of the
 * size asked for); frames already of the target size and format pass through
 * with no copy.
 */
import { ConfigError } from '../errors.js';
import type { StreamDescriptor } from '../envelopes.js';
import { beamcoder, type Frame } from '../native.js';
import type { Rational } from '../rational.js';
import { oneOf, positiveInt } from '../validate.js';
import { openGraph } from './graph.js';
import { FrameFilter, identityProcessor, type FrameProcessor } from './frame-filter.js';

/** swscale's scaling algorithms. */
export const SCALER_ALGORITHMS = ['fast_bilinear', 'bilinear', 'bicubic', 'experimental', 'neighbor', 'area', 'bicublin', 'gauss', 'sinc', 'lanczos', 'spline'] as const;

/** Options of {@link Scaler}. Leave out width or height to keep the aspect ratio. */
export interface ScalerOptions {
  width?: number;
  height?: number;
  pixelFormat?: string;
  algorithm?: (typeof SCALER_ALGORITHMS)[number];
  /** Frames buffered on each side (default 2). */
  highWaterMark?: number;
}

/** Checks a pixel format name against FFmpeg's list. @internal */
export function checkPixelFormat(field: string, name: unknown): string {
  const all = Object.keys(beamcoder().pix_fmts());
  if (typeof name !== 'string' || !all.includes(name)) {
    const near = typeof name === 'string' ? closest(name, all) : [];
    throw new ConfigError(field, `unknown pixel format ${JSON.stringify(name)}${near.length ? ` (did you mean ${near.join(', ')}?)` : ''}; FFmpeg knows ${all.length} formats, e.g. yuv420p, nv12, yuv444p, rgb24`, near);
  }
  return name;
}

function closest(name: string, all: string[]): string[] {
  return all.filter((n) => n.startsWith(name.slice(0, 3))).slice(0, 6);
}

/**
 * Scale video frames.
 *
 * @example
 * ```ts
 * await pipeline(decodeFile('in.mp4'), new Scaler({ width: 640, height: 360 }), new Encoder(cfg), ...);
 * ```
 */
export class Scaler extends FrameFilter {
  readonly #width: number | undefined;
  readonly #height: number | undefined;
  readonly #format: string | undefined;
  readonly #algorithm: string;

  constructor(opts: ScalerOptions = {}) {
    super('video', { writableHighWaterMark: opts.highWaterMark ?? 2, readableHighWaterMark: opts.highWaterMark ?? 2 });
    this.#width = opts.width === undefined ? undefined : positiveInt('width', opts.width, 16384);
    this.#height = opts.height === undefined ? undefined : positiveInt('height', opts.height, 16384);
    this.#format = opts.pixelFormat === undefined ? undefined : checkPixelFormat('pixelFormat', opts.pixelFormat);
    this.#algorithm = oneOf('algorithm', opts.algorithm ?? 'bicubic', SCALER_ALGORITHMS);
  }

  #target(w: number, h: number): { w: number; h: number } {
    let tw = this.#width;
    let th = this.#height;
    // Keep the aspect ratio for a missing side, rounded to even as `scale=-2` does.
    if (tw === undefined && th !== undefined) tw = Math.max(2, Math.round((w * th) / h / 2) * 2);
    if (th === undefined && tw !== undefined) th = Math.max(2, Math.round((h * tw) / w / 2) * 2);
    return { w: tw ?? w, h: th ?? h };
  }

  protected describe(input: StreamDescriptor): StreamDescriptor {
    const w = input.codecpar.width ?? 0;
    const h = input.codecpar.height ?? 0;
    const t = w && h ? this.#target(w, h) : { w: this.#width ?? w, h: this.#height ?? h };
    return {
      ...input,
      codecpar: { ...input.codecpar, width: t.w, height: t.h, format: this.#format ?? input.codecpar.format ?? null },
    };
  }

  protected frameKey(frame: Frame): string {
    return `${frame.width}x${frame.height}/${frame.format}`;
  }

  protected async open(frame: Frame, timeBase: Rational): Promise<FrameProcessor> {
    const key = this.frameKey(frame);
    const t = this.#target(frame.width, frame.height);
    const fmt = this.#format ?? (frame.format as string);
    if (t.w === frame.width && t.h === frame.height && fmt === frame.format) return identityProcessor(key, timeBase);
    const graph = await openGraph('video', frame, timeBase, `scale=${t.w}:${t.h}:flags=${this.#algorithm}`, { pixelFormat: fmt });
    return {
      key,
      timeBase,
      process: (f) => graph.run(f),
      flush: async () => [],
    };
  }
}
