/**
 * Every test of the file that calls this must leave the addon's live native
 * objects where it found them (see native-counts.ts): a baseline before each
 * test, and after it, once garbage has been collected, each kind back there.
 */
import { afterEach, beforeEach, expect } from 'vitest';
import type { NativeObjectCounts } from '@beamflow/core';
import { leaked, settledCounts } from './native-counts.js';

export function expectNoNativeLeaks(): void {
  let before: NativeObjectCounts | undefined;
  beforeEach(async () => {
    before = await settledCounts();
  });
  afterEach(async (ctx) => {
    // A test that failed already says why; a leak on top of it would only hide that.
    if (!before || ctx.task.result?.state === 'fail') return;
    expect(leaked(before, await settledCounts()), 'native objects left alive, by kind').toEqual({});
  });
}
