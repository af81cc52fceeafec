import { defineConfig } from 'vitest/config';

// Two cores in CI: keep file parallelism modest; tests spawn real processes and databases.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'monitoring/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    globalSetup: ['test/global-setup.ts', 'test/support/k8s-real-setup.ts'],
  },
});
