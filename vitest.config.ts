import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'services/*/test/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    // Each integration file gets its own Postgres schema (test/helpers/db.ts), so files run in parallel safely.
    // The browser test needs Debian's chromium: it runs as `pnpm test:browser` (see .ci/run).
    exclude: ['**/node_modules/**', 'test/browser/**'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
