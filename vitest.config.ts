import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (p: string) => fileURLToPath(new URL(`./packages/${p}`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@beamflow\/core\/rx$/, replacement: src('core/src/rx/index.ts') },
      { find: /^@beamflow\/core\/internal$/, replacement: src('core/src/internal.ts') },
      { find: /^@beamflow\/core$/, replacement: src('core/src/index.ts') },
      { find: /^@beamflow\/encoder\/rx$/, replacement: src('encoder/src/rx.ts') },
      { find: /^@beamflow\/encoder$/, replacement: src('encoder/src/index.ts') },
      { find: /^@beamflow\/muxer\/rx$/, replacement: src('muxer/src/rx.ts') },
      { find: /^@beamflow\/muxer$/, replacement: src('muxer/src/index.ts') },
      { find: /^@beamflow\/hw$/, replacement: src('hw/src/index.ts') },
      { find: /^@beamflow\/cluster$/, replacement: src('cluster/src/index.ts') },
    ],
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/test/**/*.test.ts', 'test/**/*.test.ts', 'bench/test/**/*.test.ts'],
    // Native calls hold libuv pool threads; forks keep each test file's addon state apart.
    pool: 'forks',
    // --expose-gc: leak checks collect garbage before they count native objects.
    poolOptions: { forks: { maxForks: 2, minForks: 1, execArgv: ['--expose-gc'] } },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    env: { UV_THREADPOOL_SIZE: '16' },
  },
});
