/**
 * Shared checks of user-supplied values: each failure is a {@link ConfigError}
 * naming the field and what is allowed.
 * @internal
 */
import { ConfigError } from './errors.js';
import { toRational, type Rational, type RationalLike } from './rational.js';

export function positiveInt(field: string, v: unknown, max = 1 << 16): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0 || v > max) {
    throw new ConfigError(field, `must be an integer from 1 to ${max} (got ${describe(v)})`);
  }
  return v;
}

export function nonNegativeNumber(field: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new ConfigError(field, `must be a finite number ≥ 0 (got ${describe(v)})`);
  }
  return v;
}

export function positiveRational(field: string, v: unknown): Rational {
  let q: Rational;
  try {
    q = toRational(v as RationalLike);
  } catch {
    throw new ConfigError(field, `must be a positive number or rational [num, den] (got ${describe(v)})`);
  }
  if (q.num <= 0) throw new ConfigError(field, `must be > 0 (got ${q.num}/${q.den})`);
  return q;
}

/** A frame rate given as 25, 29.97, [30000, 1001] or {num, den}. */
export function frameRate(field: string, v: unknown): Rational {
  if (typeof v === 'number' && Number.isFinite(v) && v > 0 && !Number.isInteger(v)) {
    // 29.97 and friends mean the NTSC rates, as on the ffmpeg command line.
    for (const base of [24, 30, 60, 120]) {
      if (Math.abs(v - (base * 1000) / 1001) < 0.01) return { num: base * 1000, den: 1001 };
    }
    const den = 1000;
    return { num: Math.round(v * den), den };
  }
  return positiveRational(field, v);
}

export function oneOf<T extends string>(field: string, v: unknown, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !allowed.includes(v as T)) {
    throw new ConfigError(field, `must be one of ${allowed.join(', ')} (got ${describe(v)})`, allowed);
  }
  return v as T;
}

export function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (Array.isArray(v)) return `[${v.map(describe).join(', ')}]`;
  if (typeof v === 'object' && v !== null) return JSON.stringify(v);
  return String(v);
}
