/**
 * Leak checks by count: the addon counts its live native objects by kind
 * (`nativeObjectCounts()`); after a teardown, garbage is collected until the
 * counts stop moving, and every kind must be back at its baseline. A kind left
 * above it names what leaked — no reading of the process's memory, which a
 * loaded machine or the allocator moves without any leak.
 */
import { nativeObjectCounts, type NativeObjectCounts } from '@beamflow/core';

const gc = (): void => {
  const f = (globalThis as { gc?: () => void }).gc;
  if (!f) throw new Error('leak checks need --expose-gc (vitest.config.ts passes it to the test workers)');
  f();
};

/**
 * The counts once collection has released everything unreachable: JavaScript
 * wrappers of frames and packets free their native objects in finalizers, which
 * Node runs after a collection, from the event loop.
 */
export async function settledCounts(): Promise<NativeObjectCounts> {
  let last = '';
  let stable = 0;
  let counts = nativeObjectCounts();
  for (let i = 0; i < 200 && stable < 3; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
    counts = nativeObjectCounts();
    const now = JSON.stringify(counts);
    stable = now === last ? stable + 1 : 0;
    last = now;
  }
  return counts;
}

/** Each kind whose count differs from the baseline, with the difference ({} when nothing leaked). */
export function leaked(before: NativeObjectCounts, after: NativeObjectCounts): Partial<Record<keyof NativeObjectCounts, number>> {
  const out: Partial<Record<keyof NativeObjectCounts, number>> = {};
  for (const k of Object.keys(after) as Array<keyof NativeObjectCounts>) {
    const d = after[k] - before[k];
    if (d !== 0) out[k] = d;
  }
  return out;
}

/** Runs `body` and returns what it left alive ({} when every native object it made was released). */
export async function leakedBy(body: () => Promise<unknown>): Promise<Partial<Record<keyof NativeObjectCounts, number>>> {
  const before = await settledCounts();
  await body();
  return leaked(before, await settledCounts());
}
