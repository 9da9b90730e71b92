import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'emulators/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two files at a time, whatever the core count (vitest's default is cores - 1: one on a 2-core
    // CI runner). Most of a slow file's time is waiting on real time (emulated channels' delays,
    // polls, outages, child processes), not computing, so a second file fits beside it; each file
    // is its own process and its own databases, so neighbours share nothing but the PostgreSQL server.
    maxWorkers: 2,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
