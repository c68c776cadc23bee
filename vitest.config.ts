import { defineConfig } from 'vitest/config';

const shared = {
  setupFiles: ['test/support/guards.ts'],
  pool: 'forks' as const,
  testTimeout: 30_000,
  hookTimeout: 120_000,
};

/** Tests that assert wall-clock bounds of a running process (the SLA timers' lateness). */
const TIMING = ['api/src/modules/sla/timer.latency.int.test.ts'];

export default defineConfig({
  resolve: {
    // graphql 16 ships CJS (main) and ESM (module) builds; Node loads the CJS one for type-graphql and Apollo,
    // so source files must get the same instance or schema objects cross "realms".
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          ...shared,
          name: 'unit',
          include: ['api/src/**/*.test.ts', 'portal/app/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/node_modules/**'],
        },
      },
      {
        extends: true,
        test: {
          ...shared,
          name: 'integration',
          include: ['api/src/**/*.int.test.ts', 'test/**/*.test.ts'],
          exclude: [...TIMING, '**/node_modules/**'],
          // PostgreSQL and the seeded template database, only for the tests that need them.
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          ...shared,
          name: 'timing',
          include: TIMING,
          globalSetup: ['test/support/global-setup.ts'],
          // After every other test, alone: a latency bound means nothing while another file loads both cores.
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
