/**
 * Exact time-base arithmetic. Timestamps are 64-bit integers in FFmpeg; a JS
 * number holds integers exactly only up to 2^53, and `value * num / den` in
 * floating point rounds twice. Everything here works in BigInt and rounds once,
 * with the semantics of FFmpeg's `av_rescale_rnd` / `av_rescale_q`, so a
 * packet rescaled here lands on the same tick as one rescaled by FFmpeg.
 */

/** A rational number, as FFmpeg's AVRational: `num / den`. */
export interface Rational {
  readonly num: number;
  readonly den: number;
}

/** Anything accepted where a rational is expected: `{num, den}`, beamcoder's `[num, den]`, or an integer. */
export type RationalLike = Rational | readonly [number, number] | number;

/** Rounding modes of `av_rescale_rnd`. */
export type Rounding = 'zero' | 'inf' | 'down' | 'up' | 'nearInf';

/** FFmpeg's AV_NOPTS_VALUE: "no timestamp". */
export const NOPTS = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Build a rational; `rational(1, 90000)` is MPEG-TS's time base. */
export function rational(num: number, den: number): Rational {
  return { num, den };
}

/** Normalise any {@link RationalLike} to `{num, den}`. Throws `RangeError` on non-integers or den = 0. */
export function toRational(r: RationalLike): Rational {
  let num: number;
  let den: number;
  if (typeof r === 'number') {
    num = r;
    den = 1;
  } else if (Array.isArray(r)) {
    num = r[0] as number;
    den = r[1] as number;
  } else {
    ({ num, den } = r as Rational);
  }
  if (!Number.isSafeInteger(num) || !Number.isSafeInteger(den) || den === 0) {
    throw new RangeError(`not a rational: ${String(num)}/${String(den)} (need integers, den ≠ 0)`);
  }
  if (den < 0) {
    num = -num;
    den = -den;
  }
  return { num, den };
}

/** beamcoder's `[num, den]` form. */
export function toTuple(r: RationalLike): [number, number] {
  const q = toRational(r);
  return [q.num, q.den];
}

function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  b = b < 0n ? -b : b;
  while (b) [a, b] = [b, a % b];
  return a;
}

/** The same value in lowest terms. */
export function reduce(r: RationalLike): Rational {
  const q = toRational(r);
  const g = gcd(BigInt(q.num), BigInt(q.den));
  if (g === 0n) return q;
  return { num: Number(BigInt(q.num) / g), den: Number(BigInt(q.den) / g) };
}

/** 1 / r: a frame rate's time base and back. */
export function invert(r: RationalLike): Rational {
  const q = toRational(r);
  return toRational([q.den, q.num]);
}

/** The value as a float (av_q2d), for display only. */
export function q2d(r: RationalLike): number {
  const q = toRational(r);
  return q.num / q.den;
}

/** Exact equality of two rationals (1/25 equals 2/50). */
export function equalRational(a: RationalLike, b: RationalLike): boolean {
  const x = toRational(a);
  const y = toRational(b);
  return BigInt(x.num) * BigInt(y.den) === BigInt(y.num) * BigInt(x.den);
}

/**
 * a·b/c rounded as `av_rescale_rnd` does, in exact integer arithmetic.
 * Negative values round symmetrically for 'zero', 'inf' and 'nearInf'
 * ('down' and 'up' go towards −∞ and +∞ as FFmpeg's do).
 */
export function rescaleRnd(a: bigint, b: bigint, c: bigint, rounding: Rounding = 'nearInf'): bigint {
  if (c <= 0n || b < 0n) throw new RangeError('rescaleRnd: need b ≥ 0 and c > 0');
  if (a < 0n) {
    // FFmpeg: av_rescale_rnd(-a, b, c, rnd ^ ((rnd >> 1) & 1)) swaps DOWN and UP.
    const mirrored: Rounding = rounding === 'down' ? 'up' : rounding === 'up' ? 'down' : rounding;
    const r = rescaleRnd(-a, b, c, mirrored);
    return r === NOPTS ? NOPTS : -r;
  }
  const p = a * b;
  let r: bigint;
  switch (rounding) {
    case 'zero':
    case 'down':
      r = p / c;
      break;
    case 'inf':
    case 'up':
      r = (p + c - 1n) / c;
      break;
    case 'nearInf':
      r = (p + c / 2n) / c;
      break;
  }
  // av_rescale_rnd answers INT64_MIN (AV_NOPTS_VALUE) when the result does not fit 64 bits.
  return r > INT64_MAX ? NOPTS : r;
}

/**
 * Rescale a timestamp from one time base to another (av_rescale_q_rnd).
 * Takes and returns a `bigint` or a `number` (numbers must be safe integers;
 * the result is checked to be one too). {@link NOPTS} passes through, as with
 * AV_ROUND_PASS_MINMAX.
 *
 * @example
 * ```ts
 * rescale(1n, { num: 1, den: 25 }, { num: 1, den: 90000 }); // 3600n
 * ```
 */
export function rescale(value: bigint, from: RationalLike, to: RationalLike, rounding?: Rounding): bigint;
export function rescale(value: number, from: RationalLike, to: RationalLike, rounding?: Rounding): number;
export function rescale(value: bigint | number, from: RationalLike, to: RationalLike, rounding: Rounding = 'nearInf'): bigint | number {
  const f = toRational(from);
  const t = toRational(to);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new RangeError(`rescale: ${value} is not a safe integer; pass a bigint`);
    const r = rescale(BigInt(value), f, t, rounding);
    const n = Number(r);
    if (!Number.isSafeInteger(n)) throw new RangeError(`rescale: result ${r} does not fit a safe integer; pass a bigint`);
    return n;
  }
  if (value === NOPTS || value === INT64_MAX) return value;
  if (f.num < 0 || t.num <= 0) throw new RangeError('rescale: time bases must be positive');
  // av_rescale_q: a * bq / cq = a * (bq.num * cq.den) / (cq.num * bq.den)
  return rescaleRnd(value, BigInt(f.num) * BigInt(t.den), BigInt(t.num) * BigInt(f.den), rounding);
}

/** Compare two timestamps in different time bases exactly (av_compare_ts): -1, 0 or 1. */
export function compareTs(a: bigint | number, tbA: RationalLike, b: bigint | number, tbB: RationalLike): -1 | 0 | 1 {
  const x = toRational(tbA);
  const y = toRational(tbB);
  const l = BigInt(a) * BigInt(x.num) * BigInt(y.den);
  const r = BigInt(b) * BigInt(y.num) * BigInt(x.den);
  return l < r ? -1 : l > r ? 1 : 0;
}

/** The duration of one frame at `frameRate`, in time base `timeBase` (rounded to nearest). */
export function frameDuration(frameRate: RationalLike, timeBase: RationalLike): bigint {
  return rescale(1n, invert(frameRate), timeBase);
}

/** Seconds as a float, for display: `value · tb`. */
export function toSeconds(value: bigint | number, timeBase: RationalLike): number {
  const q = toRational(timeBase);
  return (Number(value) * q.num) / q.den;
}
