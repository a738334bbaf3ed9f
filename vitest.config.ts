import { defineConfig } from 'vitest/config';

// Tiers: `unit` is pure code (core/, web logic), `api` runs the HTTP app and real SQL on PGlite and,
// when DATABASE_URL is set, PostgreSQL; `browser` drives Debian's Chromium (test/browser).
// Every tier removes the scratch folders its test files made (test/support/scratch.ts); in the browser
// tier a Content-Security-Policy violation fails the test (test/support/csp.setup.ts).
const setupFiles = ['test/support/cleanup.setup.ts'];
// The api and browser tiers serve the web app: dist/ is built once before their tests, if it changed.
const globalSetup = ['test/support/build.setup.ts'];

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['core/**/*.test.ts', 'web/**/*.test.ts'], environment: 'node', setupFiles } },
      {
        test: {
          name: 'api',
          include: ['api/**/*.test.ts', 'test/api/**/*.test.ts'],
          environment: 'node',
          setupFiles,
          globalSetup,
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      // Drills against a real failover cluster built from Debian's packages (test/support/failover-cluster.ts).
      {
        test: {
          name: 'ha',
          include: ['test/ha/**/*.test.ts'],
          environment: 'node',
          setupFiles,
          globalSetup,
          testTimeout: 600_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      // The camera decoder (html5-qrcode) now and then reads nothing from a frame it reads every other
      // time, on a loaded 2-core machine; a browser test gets two more tries before it counts as failed.
      {
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts', 'test/build/**/*.test.ts'],
          environment: 'node',
          setupFiles: [...setupFiles, 'test/support/csp.setup.ts'],
          globalSetup,
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
          retry: 2,
        },
      },
    ],
  },
});
