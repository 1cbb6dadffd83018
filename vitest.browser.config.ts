/**
 * Browser tests (`npm run test:browser`): `test/**\/*.browser.test.ts` in real headless
 * Chromium — found by test/support/browser.ts (CHROMIUM_PATH, a system Chrome/Chromium, or
 * the one bundled in @sparticuz/chromium; never a download) — against a node:http server
 * started in globalSetup whose URL reaches the page through provide/inject.
 */
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';
import { BrowserNotFoundError, findBrowser } from './test/support/browser.js';

const browser = await findBrowser().catch((error: unknown) => {
  if (!(error instanceof BrowserNotFoundError)) throw error;
  // One line, no stack: the message says what to install.
  process.stderr.write(`browser tests: ${error.message}\n`);
  process.exit(1);
});
process.stderr.write(
  `browser tests: Chromium from ${browser.source} (${browser.executablePath})\n`,
);

export default defineConfig({
  test: {
    include: ['test/**/*.browser.test.ts'],
    globalSetup: ['test/browser/global-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: process.env.CI ? { json: '.ci/out/browser.json' } : undefined,
    browser: {
      enabled: true,
      headless: true,
      provider: playwright({
        launchOptions: { executablePath: browser.executablePath, args: browser.args },
      }),
      instances: [{ browser: 'chromium' }],
    },
  },
});
