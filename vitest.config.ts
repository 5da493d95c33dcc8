import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // CLI tests spawn `node bin/runloom.mjs`, which runs the compiled dist/: build it first.
    globalSetup: ['./test/support/build-dist.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    pool: 'forks',
  },
});
