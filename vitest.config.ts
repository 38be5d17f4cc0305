import { defineConfig } from 'vitest/config';

/**
 * Tests that restart this machine's PostgreSQL: a group of their own (`sequence.groupOrder`), which vitest
 * runs apart from the others, so no other test file loses its connections meanwhile.
 */
const restartsPostgres = ['test/e2e/scale-out-postgres.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'main',
          include: ['test/**/*.test.ts'],
          exclude: ['dist/**', 'node_modules/**', ...restartsPostgres],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: { name: 'restarts-postgres', include: restartsPostgres, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
