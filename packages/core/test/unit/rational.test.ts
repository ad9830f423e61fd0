/**
 * Exact time-base arithmetic against FFmpeg's av_rescale_rnd / av_rescale_q /
 * av_compare_ts semantics. Every expected value is either a small hand-checked
 * number or computed here with an independent BigInt definition of the
 * rounding mode; float math appears only to show where it goes wrong.
 */
import { describe, expect, it } from 'vitest';
import {
  NOPTS, compareTs, equalRational, frameDuration, invert, reduce, rescale, rescaleRnd, toRational,
} from '../../src/rational.js';
import type { Rational, Rounding } from '../../src/rational.js';

const MODES: readonly Rounding[] = ['zero', 'inf', 'down', 'up', 'nearInf'];
const INT64_MAX = 2n ** 63n - 1n;

const tb = (num: number, den: number): Rational => ({ num, den });

/** floor(p / c) for c > 0, any sign of p (BigInt division truncates). */
function floorDiv(p: bigint, c: bigint): bigint {
  const q = p / c;
  return p % c !== 0n && p < 0n ? q - 1n : q;
}

/** The rounding modes by their definitions (AVRounding's documentation), not by FFmpeg's code. */
function reference(a: bigint, b: bigint, c: bigint, mode: Rounding): bigint {
  const p = a * b;
  const floor = floorDiv(p, c);
  const exact = floor * c === p;
  const ceil = exact ? floor : floor + 1n;
  switch (mode) {
    case 'down':
      return floor;
    case 'up':
      return ceil;
    case 'zero':
      return p < 0n ? ceil : floor;
    case 'inf':
      return p < 0n ? floor : ceil;
    case 'nearInf': {
      // Nearest; exact halves away from zero. Compare 2·|remainder| with c.
      const absP = p < 0n ? -p : p;
      const r = absP % c;
      const q = absP / c + (2n * r >= c ? 1n : 0n);
      return p < 0n ? -q : q;
    }
  }
}

describe('rescaleRnd: av_rescale_rnd rounding modes', () => {
  // [a, b, c, {mode: expected}] — hand-checked.
  const table: Array<[bigint, bigint, bigint, Record<Rounding, bigint>]> = [
    // 7/2 = 3.5 (an exact half)
    [7n, 1n, 2n, { zero: 3n, inf: 4n, down: 3n, up: 4n, nearInf: 4n }],
    [-7n, 1n, 2n, { zero: -3n, inf: -4n, down: -4n, up: -3n, nearInf: -4n }],
    // 5/3 = 1.67
    [5n, 1n, 3n, { zero: 1n, inf: 2n, down: 1n, up: 2n, nearInf: 2n }],
    [-5n, 1n, 3n, { zero: -1n, inf: -2n, down: -2n, up: -1n, nearInf: -2n }],
    // 4/3 = 1.33
    [4n, 1n, 3n, { zero: 1n, inf: 2n, down: 1n, up: 2n, nearInf: 1n }],
    [-4n, 1n, 3n, { zero: -1n, inf: -2n, down: -2n, up: -1n, nearInf: -1n }],
    // 1/3 = 0.33: odd c, c/2 truncates to 1
    [1n, 1n, 3n, { zero: 0n, inf: 1n, down: 0n, up: 1n, nearInf: 0n }],
    [-1n, 1n, 3n, { zero: 0n, inf: -1n, down: -1n, up: 0n, nearInf: 0n }],
    // exact results are the same in every mode
    [6n, 1n, 3n, { zero: 2n, inf: 2n, down: 2n, up: 2n, nearInf: 2n }],
    [-6n, 1n, 3n, { zero: -2n, inf: -2n, down: -2n, up: -2n, nearInf: -2n }],
    [0n, 7n, 3n, { zero: 0n, inf: 0n, down: 0n, up: 0n, nearInf: 0n }],
    // b = 0 is allowed (av_assert2(b >= 0))
    [12345n, 0n, 7n, { zero: 0n, inf: 0n, down: 0n, up: 0n, nearInf: 0n }],
  ];

  for (const [a, b, c, expected] of table) {
    for (const mode of MODES) {
      it(`${a}·${b}/${c} rounded '${mode}' = ${expected[mode]}`, () => {
        expect(rescaleRnd(a, b, c, mode)).toBe(expected[mode]);
      });
    }
  }

  it('defaults to nearInf (av_rescale_q rounding)', () => {
    expect(rescaleRnd(7n, 1n, 2n)).toBe(4n);
    expect(rescaleRnd(-7n, 1n, 2n)).toBe(-4n);
  });

  it('mirrors negative values as FFmpeg does: f(-a) = -f(a) with down and up swapped', () => {
    const swap: Record<Rounding, Rounding> = { zero: 'zero', inf: 'inf', down: 'up', up: 'down', nearInf: 'nearInf' };
    for (let a = 1n; a <= 60n; a++) {
      for (const [b, c] of [[1n, 2n], [2n, 3n], [3n, 7n], [1001n, 30000n], [44100n, 48000n]] as const) {
        for (const mode of MODES) {
          expect(rescaleRnd(-a, b, c, mode), `-${a}·${b}/${c} ${mode}`).toBe(-rescaleRnd(a, b, c, swap[mode]));
        }
      }
    }
  });

  it('matches the definition of each mode on a sweep of values of both signs', () => {
    for (let a = -200n; a <= 200n; a++) {
      for (const [b, c] of [[1n, 2n], [1n, 4n], [3n, 8n], [5n, 3n], [90000n, 1001n], [441n, 480n]] as const) {
        for (const mode of MODES) {
          expect(rescaleRnd(a, b, c, mode), `${a}·${b}/${c} ${mode}`).toBe(reference(a, b, c, mode));
        }
      }
    }
  });

  it('rounds once, exactly, near 2^62 where doubles cannot', () => {
    const a = 2n ** 62n - 1n; // 4611686018427387903: not representable as a double
    // 3·a/7 = 1976436865040309101.29 (3·a = 7·1976436865040309101 + 2)
    const p = a * 3n;
    expect(p).toBe(13835058055282163709n);
    expect(rescaleRnd(a, 3n, 7n, 'down')).toBe(1976436865040309101n);
    expect(rescaleRnd(a, 3n, 7n, 'zero')).toBe(1976436865040309101n);
    expect(rescaleRnd(a, 3n, 7n, 'up')).toBe(1976436865040309102n);
    expect(rescaleRnd(a, 3n, 7n, 'inf')).toBe(1976436865040309102n);
    expect(rescaleRnd(a, 3n, 7n, 'nearInf')).toBe(1976436865040309101n);
    expect(p).toBe(7n * 1976436865040309101n + 2n);
    expect(rescaleRnd(-a, 3n, 7n, 'down')).toBe(-1976436865040309102n);
    expect(rescaleRnd(-a, 3n, 7n, 'up')).toBe(-1976436865040309101n);

    // The same in doubles lands elsewhere.
    const float = BigInt(Math.round((Number(a) * 3) / 7));
    expect(float).not.toBe(rescaleRnd(a, 3n, 7n, 'nearInf'));
  });

  it('throws RangeError for c ≤ 0 or b < 0', () => {
    expect(() => rescaleRnd(1n, 1n, 0n)).toThrow(RangeError);
    expect(() => rescaleRnd(1n, 1n, -2n)).toThrow(RangeError);
    expect(() => rescaleRnd(1n, -1n, 2n)).toThrow(RangeError);
  });
});

describe('rescale: av_rescale_q between time bases', () => {
  it('1 tick of 1/25 is 3600 ticks of 1/90000', () => {
    expect(rescale(1n, tb(1, 25), tb(1, 90000))).toBe(3600n);
    expect(rescale(3600n, tb(1, 90000), tb(1, 25))).toBe(1n);
  });

  it('1 tick of 1001/30000 (29.97 fps) is 3003 ticks of 1/90000', () => {
    expect(rescale(1n, tb(1001, 30000), tb(1, 90000))).toBe(3003n);
    expect(rescale(1000n, tb(1001, 30000), tb(1, 90000))).toBe(3003000n);
  });

  it('accepts [num, den] tuples and integers as time bases', () => {
    expect(rescale(1n, [1, 25] as const, [1, 90000] as const)).toBe(3600n);
    expect(rescale(2n, 1, tb(1, 1000))).toBe(2000n);
  });

  it('48000 Hz samples → 1/44100 rounds exact halves away from zero (nearInf)', () => {
    // 80 · 44100 / 48000 = 73.5 exactly; 81 → 74.42; 79 → 72.58
    const from = tb(1, 48000);
    const to = tb(1, 44100);
    expect(rescale(80n, from, to)).toBe(74n);
    expect(rescale(-80n, from, to)).toBe(-74n);
    expect(rescale(240n, from, to)).toBe(221n); // 220.5
    expect(rescale(-240n, from, to)).toBe(-221n);
    expect(rescale(81n, from, to)).toBe(74n);
    expect(rescale(79n, from, to)).toBe(73n);
    expect(rescale(48000n, from, to)).toBe(44100n);
  });

  it('48000 → 44100 halfway case in each rounding mode, both signs', () => {
    const from = tb(1, 48000);
    const to = tb(1, 44100);
    const expected: Record<Rounding, [bigint, bigint]> = {
      zero: [73n, -73n],
      inf: [74n, -74n],
      down: [73n, -74n],
      up: [74n, -73n],
      nearInf: [74n, -74n],
    };
    for (const mode of MODES) {
      expect(rescale(80n, from, to, mode), `+80 ${mode}`).toBe(expected[mode][0]);
      expect(rescale(-80n, from, to, mode), `-80 ${mode}`).toBe(expected[mode][1]);
    }
  });

  it('passes NOPTS (and INT64_MAX) through unchanged, as AV_ROUND_PASS_MINMAX', () => {
    expect(NOPTS).toBe(-(2n ** 63n));
    for (const mode of MODES) {
      expect(rescale(NOPTS, tb(1, 25), tb(1, 90000), mode)).toBe(NOPTS);
      expect(rescale(INT64_MAX, tb(1, 25), tb(1, 90000), mode)).toBe(INT64_MAX);
    }
  });

  it('is exact for bigint timestamps near 2^62 where value·num/den in doubles is not', () => {
    const value = 2n ** 62n + 12345n; // 4611686018427400249
    const from = tb(1, 90000);
    const to = tb(1, 1000);
    // By hand: b = 1·1000, c = 1·90000, nearInf: (value·1000 + 45000) / 90000
    const byHand = (value * 1000n + 45000n) / 90000n;
    expect(byHand).toBe(51240955760304447n);
    expect(rescale(value, from, to)).toBe(byHand);

    const float = BigInt(Math.round((Number(value) * to.den * from.num) / (from.den * to.num)));
    expect(float).toBe(51240955760304448n);
    expect(float).not.toBe(byHand);
  });

  it('is exact for 29.97 fps timestamps whose result is near 2^62', () => {
    const value = 2n ** 51n - 1n;
    const from = tb(1001, 30000);
    const to = tb(1, 90000);
    // b = 1001·90000, c = 1·30000: value·3003 exactly
    const byHand = value * 3003n;
    expect(rescale(value, from, to)).toBe(byHand);
    const float = BigInt(Math.round((Number(value) * from.num * to.den) / (from.den * to.num)));
    expect(float).not.toBe(byHand);
  });

  it('takes and returns numbers when given a safe integer', () => {
    const r = rescale(1, tb(1, 25), tb(1, 90000));
    expect(r).toBe(3600);
    expect(typeof r).toBe('number');
    expect(rescale(-80, tb(1, 48000), tb(1, 44100), 'down')).toBe(-74);
    expect(rescale(Number.MAX_SAFE_INTEGER, tb(1, 1), tb(1, 1))).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('throws RangeError for number inputs that are not safe integers', () => {
    for (const bad of [2 ** 53, -(2 ** 53), 2 ** 62, 0.5, -1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => rescale(bad, tb(1, 25), tb(1, 90000)), String(bad)).toThrow(RangeError);
    }
  });

  it('throws RangeError when a number result would not be a safe integer', () => {
    expect(() => rescale(2 ** 40, tb(1, 1), tb(1, 90000))).toThrow(RangeError);
    // ...while the bigint form holds any int64
    expect(rescale(2n ** 40n, tb(1, 1), tb(1, 90000))).toBe(2n ** 40n * 90000n);
  });

  it('throws RangeError for invalid or non-positive time bases', () => {
    expect(() => rescale(1n, tb(1, 0), tb(1, 90000))).toThrow(RangeError);
    expect(() => rescale(1n, tb(1.5, 25), tb(1, 90000))).toThrow(RangeError);
    expect(() => rescale(1n, tb(-1, 25), tb(1, 90000))).toThrow(RangeError);
    expect(() => rescale(1n, tb(1, 25), tb(0, 90000))).toThrow(RangeError);
    expect(() => rescale(1n, tb(1, 25), tb(1, -90000))).toThrow(RangeError);
  });
});

describe('compareTs: av_compare_ts', () => {
  it('compares across time bases exactly', () => {
    expect(compareTs(1, tb(1, 25), 3600, tb(1, 90000))).toBe(0);
    expect(compareTs(1n, tb(1, 25), 3601n, tb(1, 90000))).toBe(-1);
    expect(compareTs(1n, tb(1, 25), 3599n, tb(1, 90000))).toBe(1);
    expect(compareTs(-1n, tb(1, 25), -3600n, tb(1, 90000))).toBe(0);
    expect(compareTs(-1n, tb(1, 25), 0n, tb(1, 1))).toBe(-1);
    expect(compareTs(1001n, tb(1, 30000), 1n, tb(1001, 30000))).toBe(0);
  });

  it('normalises negative denominators', () => {
    expect(compareTs(1n, tb(-1, -25), 3600n, tb(1, 90000))).toBe(0);
  });

  it('distinguishes timestamps near 2^62 that doubles see as equal', () => {
    const a = 2n ** 60n; // in 1/1000
    const b = a * 90n + 1n; // in 1/90000: one tick later than a
    expect(compareTs(a, tb(1, 1000), b, tb(1, 90000))).toBe(-1);
    expect(compareTs(b, tb(1, 90000), a, tb(1, 1000))).toBe(1);
    expect(compareTs(a, tb(1, 1000), a * 90n, tb(1, 90000))).toBe(0);
    expect(Number(a) / 1000).toBe(Number(b) / 90000); // what floats would say
  });
});

describe('Rational helpers', () => {
  it('toRational accepts {num, den}, [num, den] and integers', () => {
    expect(toRational({ num: 1, den: 25 })).toEqual({ num: 1, den: 25 });
    expect(toRational([30000, 1001] as const)).toEqual({ num: 30000, den: 1001 });
    expect(toRational(25)).toEqual({ num: 25, den: 1 });
  });

  it('toRational moves the sign to the numerator', () => {
    expect(toRational({ num: 1, den: -25 })).toEqual({ num: -1, den: 25 });
    expect(toRational([-1, -25] as const)).toEqual({ num: 1, den: 25 });
  });

  it('toRational throws RangeError for den = 0 and non-integers', () => {
    expect(() => toRational({ num: 1, den: 0 })).toThrow(RangeError);
    expect(() => toRational([1, 0] as const)).toThrow(RangeError);
    expect(() => toRational(1.5)).toThrow(RangeError);
    expect(() => toRational({ num: 1, den: 2.5 })).toThrow(RangeError);
    expect(() => toRational({ num: Number.NaN, den: 1 })).toThrow(RangeError);
    expect(() => toRational(2 ** 53)).toThrow(RangeError);
  });

  it('reduce gives lowest terms with a positive denominator', () => {
    expect(reduce({ num: 2, den: 50 })).toEqual({ num: 1, den: 25 });
    expect(reduce({ num: 90000, den: 3003 })).toEqual({ num: 30000, den: 1001 });
    expect(reduce({ num: 2, den: -4 })).toEqual({ num: -1, den: 2 });
    expect(reduce({ num: 0, den: 5 })).toEqual({ num: 0, den: 1 });
    expect(reduce({ num: 7, den: 13 })).toEqual({ num: 7, den: 13 });
    expect(reduce(4)).toEqual({ num: 4, den: 1 });
  });

  it('invert swaps num and den, keeping the sign on num', () => {
    expect(invert({ num: 30000, den: 1001 })).toEqual({ num: 1001, den: 30000 });
    expect(invert(25)).toEqual({ num: 1, den: 25 });
    expect(invert({ num: -1, den: 2 })).toEqual({ num: -2, den: 1 });
    expect(() => invert({ num: 0, den: 1 })).toThrow(RangeError);
  });

  it('equalRational compares values, not representations', () => {
    expect(equalRational({ num: 1, den: 25 }, { num: 2, den: 50 })).toBe(true);
    expect(equalRational([1, 25] as const, { num: 3600, den: 90000 })).toBe(true);
    expect(equalRational({ num: -1, den: 2 }, { num: 1, den: -2 })).toBe(true);
    expect(equalRational(3, { num: 6, den: 2 })).toBe(true);
    expect(equalRational({ num: 1, den: 25 }, { num: 1, den: 24 })).toBe(false);
    expect(equalRational({ num: 1, den: 2 }, { num: -1, den: 2 })).toBe(false);
    // 1/2^52 vs 1/(2^52 + 1): products beyond 2^53 still compare exactly
    expect(equalRational({ num: 1, den: 2 ** 52 }, { num: 1, den: 2 ** 52 + 1 })).toBe(false);
  });

  it('frameDuration is one frame at the rate, in the time base, rounded to nearest', () => {
    expect(frameDuration({ num: 25, den: 1 }, { num: 1, den: 90000 })).toBe(3600n);
    expect(frameDuration([30000, 1001] as const, { num: 1, den: 90000 })).toBe(3003n);
    expect(frameDuration(25, [1, 25] as const)).toBe(1n);
    expect(frameDuration({ num: 30000, den: 1001 }, { num: 1, den: 1000 })).toBe(33n); // 33.37
    expect(frameDuration({ num: 24000, den: 1001 }, { num: 1, den: 1000 })).toBe(42n); // 41.71
    expect(frameDuration({ num: 2000, den: 1 }, { num: 1, den: 1000 })).toBe(1n); // 0.5 → 1 (away from zero)
  });
});

describe('overflow', () => {
  // av_rescale_rnd returns INT64_MIN (= AV_NOPTS_VALUE) when the rescaled value does not fit an int64.
  it('a result beyond int64 becomes NOPTS, for either sign', () => {
    expect(rescaleRnd(2n ** 62n, 90000n, 1n)).toBe(NOPTS);
    expect(rescaleRnd(-(2n ** 62n), 90000n, 1n)).toBe(NOPTS);
    expect(rescaleRnd(2n ** 62n, 1n, 1n)).toBe(2n ** 62n);
  });
});
