/**
 * Counts the native work a call queues on libuv's pool: async_hooks sees each
 * of the addon's async works by its resource name ("Encode", "Filter", ...),
 * so a test can tell a call run on the calling thread from one sent to the pool.
 */
import { createHook } from 'node:async_hooks';

export async function poolWork(type: string, fn: () => Promise<void>): Promise<number> {
  let n = 0;
  const hook = createHook({ init: (_id, t) => { if (t === type) n++; } }).enable();
  try {
    await fn();
  } finally {
    hook.disable();
  }
  return n;
}
