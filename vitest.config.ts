import { defineConfig } from 'vitest/config';

// Node suites. The browser suite (real Chromium) has its own config: vitest.browser.config.ts.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/**/*.browser.test.ts', 'test/browser/**', 'node_modules/**'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // In CI, also write JSON so .ci/run can print one "N passed, N failed" line.
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: process.env.CI ? { json: '.ci/out/node.json' } : undefined,
  },
});
