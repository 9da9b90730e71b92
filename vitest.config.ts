import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'emulators/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // At least two files at a time (vitest's default, cores - 1, is one on a 2-core CI runner).
    // Most of a slow file's time is waiting on real time (emulated channels' delays, polls,
    // outages, child processes), not computing, so a second file fits beside it; each file is its
    // own process with its own databases, so neighbours share nothing but the PostgreSQL server.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
