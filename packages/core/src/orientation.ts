/**
 * Display matrices: how a player must turn a video stream's pixels (a phone
 * records sideways and says "rotate 90°" in the container). The matrix is
 * FFmpeg's: nine 32-bit integers, the first six 16.16 fixed point. What to do
 * with one follows the ffmpeg command line's autorotate: a transpose for a
 * quarter turn (with a flip when the matrix mirrors), flips for a half turn or
 * a mirror, FFmpeg's `rotate` filter for any other angle.
 */

/** A stream's display matrix, FFmpeg's nine 32-bit integers. */
export type DisplayMatrix = readonly number[];

/** The matrix of a stream's `side_data.displaymatrix` (36 bytes, little-endian int32), if it has one. */
export function displayMatrixFrom(sideData: unknown): DisplayMatrix | undefined {
  const buf = (sideData as { displaymatrix?: unknown } | null | undefined)?.displaymatrix;
  if (!Buffer.isBuffer(buf) || buf.length < 36) return undefined;
  return Array.from({ length: 9 }, (_, i) => buf.readInt32LE(i * 4));
}

/** The 36 bytes FFmpeg stores for a matrix (for a muxer's stream side data). */
export function displayMatrixBytes(m: DisplayMatrix): Buffer {
  const buf = Buffer.alloc(36);
  m.forEach((v, i) => buf.writeInt32LE(v, i * 4));
  return buf;
}

const fp = (v: number): number => v / 65536;

/**
 * The counter-clockwise rotation in degrees the matrix applies, as FFmpeg's
 * av_display_rotation_get() reports it (ffprobe's "rotation"); NaN for a
 * degenerate matrix.
 */
export function displayRotation(m: DisplayMatrix): number {
  const s0 = Math.hypot(fp(m[0]!), fp(m[3]!));
  const s1 = Math.hypot(fp(m[1]!), fp(m[4]!));
  if (s0 === 0 || s1 === 0) return NaN;
  return -(Math.atan2(fp(m[1]!) / s1, fp(m[0]!) / s0) * 180) / Math.PI;
}

/** How to turn frames upright: the filter chain, and whether it swaps width and height. */
export interface UprightFilter {
  filter: string | undefined;
  swapsSize: boolean;
}

/** The filters that turn a stream with this matrix upright (none for an upright matrix). */
export function uprightFilter(m: DisplayMatrix): UprightFilter {
  const r = displayRotation(m);
  if (Number.isNaN(r)) return { filter: undefined, swapsSize: false };
  let theta = -Math.round(r);
  theta -= 360 * Math.floor(theta / 360 + 0.9 / 360);
  if (Math.abs(theta - 90) < 1) return { filter: m[3]! > 0 ? 'transpose=cclock_flip' : 'transpose=clock', swapsSize: true };
  if (Math.abs(theta - 270) < 1) return { filter: m[3]! < 0 ? 'transpose=clock_flip' : 'transpose=cclock', swapsSize: true };
  if (Math.abs(theta - 180) < 1) {
    const chain = [...(m[0]! < 0 ? ['hflip'] : []), ...(m[4]! < 0 ? ['vflip'] : [])];
    return { filter: chain.length ? chain.join(',') : undefined, swapsSize: false };
  }
  if (Math.abs(theta) > 1) return { filter: `rotate=${theta}*PI/180`, swapsSize: false };
  return { filter: m[4]! < 0 ? 'vflip' : undefined, swapsSize: false };
}
