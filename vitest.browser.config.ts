/**
 * Browser tests (`npm run test:browser`): `test/**\/*.browser.test.ts` in real headless
 * Chromium (Debian's /usr/bin/chromium, never a downloaded one), against a node:http
 * server started in globalSetup whose URL reaches the page through provide/inject.
 */
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';

const args = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

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
      provider: playwright({ launchOptions: { executablePath: '/usr/bin/chromium', args } }),
      instances: [{ browser: 'chromium' }],
    },
  },
});
