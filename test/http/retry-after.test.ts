import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_SERVER_DELAY_MS, parseRetryAfter } from '../../src/http/retry-after.js';

const NOW = Date.parse('2026-11-27T12:00:00Z');

describe('parseRetryAfter', () => {
  it('reads delay-seconds', () => {
    expect(parseRetryAfter('1', NOW)).toBe(1000);
    expect(parseRetryAfter(' 120 ', NOW)).toBe(120_000);
    expect(parseRetryAfter('0', NOW)).toBe(0);
  });

  it('reads an HTTP-date relative to now, and a past date as 0', () => {
    expect(parseRetryAfter('Fri, 27 Nov 2026 12:00:30 GMT', NOW)).toBe(30_000);
    expect(parseRetryAfter('Friday, 27-Nov-26 12:01:00 GMT', NOW)).toBe(60_000);
    expect(parseRetryAfter('Fri, 27 Nov 2026 11:00:00 GMT', NOW)).toBe(0);
  });

  it('ignores missing, malformed, negative, fractional and absurd values', () => {
    for (const bad of [
      null,
      undefined,
      '',
      '  ',
      '-1',
      '1.5',
      'soon',
      '1e3',
      '0x10',
      'Infinity',
      'NaN',
      '99999999999',
      String(MAX_SERVER_DELAY_MS / 1000 + 1),
      'Fri, 27 Nov 2126 12:00:00 GMT',
      'Mon, garbage',
    ]) {
      expect(parseRetryAfter(bad, NOW), String(bad)).toBeUndefined();
    }
  });

  it('never throws and returns undefined or a sane delay for any string', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 0, max: 4_000_000_000_000 }), (value, now) => {
        const ms = parseRetryAfter(value, now);
        return ms === undefined || (Number.isFinite(ms) && ms >= 0 && ms <= MAX_SERVER_DELAY_MS);
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips every sane delay-seconds value', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: MAX_SERVER_DELAY_MS / 1000 }),
        (s) => parseRetryAfter(String(s), NOW) === s * 1000,
      ),
    );
  });
});
