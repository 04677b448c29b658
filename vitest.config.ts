import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // PostgreSQL test schemas are dropped after the run, not while other files migrate.
    globalSetup: ['test/helpers/global-setup.ts'],
    // No test connects anywhere but 127.0.0.0/8 and ::1 (issue 8): checked in every test process.
    setupFiles: ['test/helpers/loopback-only.ts'],
    // Most test files wait on PostgreSQL, child processes or a browser rather than on a core:
    // three at a time keep two cores busy (vitest's default on two cores is one at a time).
    maxWorkers: 3,
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: '.test-results/results.json' },
  },
});
