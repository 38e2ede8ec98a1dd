import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Day separators and relative times use the local calendar: run them in one known zone (workers inherit it).
process.env.TZ = 'UTC';

/**
 * Unit tests of the web app's logic (stores, outbox, live link, row building, formatting): `*.test.ts` beside the
 * code, in Node by default. IndexedDB comes from fake-indexeddb where a test imports it; Web Locks from a small
 * in-test implementation. The browser flows stay in Playwright (`e2e/*.spec.ts`, not collected here).
 */
export default defineConfig({
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
    // One worker: the machine's cores are shared, and these tests take well under a second each.
    pool: 'threads',
    maxWorkers: 1,
    restoreMocks: true,
    unstubGlobals: true,
  },
});
