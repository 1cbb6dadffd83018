/**
 * The browser the suite found (test/support/browser.ts) keeps a browser's rules: whichever
 * Chromium runs — system or bundled — cross-origin reads are limited by CORS, so a header
 * the test server does not expose stays invisible to the page.
 */
import { describe, expect, inject, it } from 'vitest';

const base = inject('serverUrl');

describe('the browser under test', () => {
  it('enforces CORS: only exposed and safelisted headers reach the page', async () => {
    expect(new URL(base).origin).not.toBe(location.origin);
    const res = await fetch(`${base}/scenario/hits/cors-${Date.now()}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/json/);
    // Node sets Date on every response; it is not CORS-safelisted and not exposed.
    expect(res.headers.get('date')).toBeNull();
  });
});
