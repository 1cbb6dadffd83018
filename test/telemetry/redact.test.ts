import { describe, expect, it } from 'vitest';
import { createRedactor, redact } from '../../src/telemetry/index.js';
import { isCardNumber } from '../../src/telemetry/redact-patterns.js';

describe('redact: keys', () => {
  it.each([
    'Authorization',
    'cookie',
    'Set-Cookie',
    'PASSWORD',
    'passwd',
    'client_secret',
    'accessToken',
    'api-key',
    'apiKey',
    'X-API-KEY',
    'awsCredentials',
    'passphrase',
    'private key',
    'sessionId',
  ])('%s is redacted whatever the value', (key) => {
    expect(redact({ [key]: { nested: 'x', n: 1 } })).toEqual({ [key]: '[REDACTED]' });
  });

  it('leaves ordinary keys alone', () => {
    expect(redact({ user: 'ana', count: 3, ok: true, none: null })).toEqual({
      user: 'ana',
      count: 3,
      ok: true,
      none: null,
    });
  });

  it('is user-extensible with strings and RegExps', () => {
    const r = createRedactor({ keys: ['ssn', /^x-internal-/i] });
    expect(r.redact({ SSN: '078-05-1120', 'X-Internal-Route': 'a', route: 'b' })).toEqual({
      SSN: '[REDACTED]',
      'X-Internal-Route': '[REDACTED]',
      route: 'b',
    });
  });
});

describe('redact: value patterns', () => {
  const r = createRedactor();
  it.each([
    ['jwt', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl', 'jwt'],
    ['bearer', 'Bearer abc123def456', 'bearer'],
    ['basic', `Basic ${btoa('user:pw-123')}`, 'bearer'],
    ['aws key id', 'AKIAIOSFODNN7EXAMPLE', 'aws-access-key-id'],
    ['card with spaces', '4111 1111 1111 1111', 'card'],
    ['card with dashes', '5500-0000-0000-0004', 'card'],
    ['pem', '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----', 'private-key'],
  ])('%s inside text becomes a marker', (_name, secret, marker) => {
    expect(r.redactText(`before ${secret} after`)).toBe(`before [REDACTED:${marker}] after`);
  });

  it('a PEM key cut short (no END line) is redacted to the end of the text', () => {
    expect(r.redactText('key: x\n-----BEGIN EC PRIVATE KEY-----\nMIIBabc')).toBe(
      'key: x\n[REDACTED:private-key]',
    );
  });

  it('a digit run that fails Luhn is kept, prose with "basic" is kept', () => {
    expect(r.redactText('order 4111 1111 1111 1112')).toBe('order 4111 1111 1111 1112');
    expect(r.redactText('a basic understanding')).toBe('a basic understanding');
  });

  it('numbers: card-like integers are redacted, epoch milliseconds are not', () => {
    expect(redact({ n: 4111111111111111, at: 1732728000000, pi: 3.14 })).toEqual({
      n: '[REDACTED:card]',
      at: 1732728000000,
      pi: 3.14,
    });
  });

  it('isCardNumber is the Luhn check over 13–19 digits', () => {
    expect(isCardNumber('4539148803436467')).toBe(true);
    expect(isCardNumber('4539148803436468')).toBe(false);
    expect(isCardNumber('000000000')).toBe(false);
  });

  it('key=value, key: value and "key": "value" pairs in text', () => {
    expect(r.redactText('a=1&token=abc&b=2')).toBe('a=1&token=[REDACTED]&b=2');
    expect(r.redactText('{"user":"x","password":"p\\"w","n":1}')).toBe(
      '{"user":"x","password":"[REDACTED]","n":1}',
    );
    expect(r.redactText('{"credentials":{"user":"x","pass":"y"},"n":1}')).toBe(
      '{"credentials":"[REDACTED]","n":1}',
    );
    expect(r.redactText('Authorization: Digest a="b", c="d"\nHost: x')).toBe(
      'Authorization: [REDACTED]\nHost: x',
    );
  });

  it('escaped JSON inside a string (text too big to parse): escaped pairs are redacted', () => {
    const inner = JSON.stringify({ user: 'x', token: 'abc"def', password: 'p1' });
    expect(r.redactText(JSON.stringify({ Message: inner }))).toBe(
      '{"Message":"{\\"user\\":\\"x\\",\\"token\\":\\"[REDACTED]\\",\\"password\\":\\"[REDACTED]\\"}"}',
    );
  });

  it('is idempotent: redacting redacted text changes nothing', () => {
    const samples = [
      'x password=abc&token="q" Authorization: Bearer abcdefgh',
      '{"apiKey":"k","nested":{"secret":{"a":1}},"card":"4111 1111 1111 1111"}',
      'cookie: a=1; b=2\nAKIAIOSFODNN7EXAMPLE',
      JSON.stringify({ m: JSON.stringify({ secret: 's"x', ok: 1 }) }),
    ];
    for (const text of samples) {
      const once = r.redactText(text);
      expect(r.redactText(once)).toBe(once);
    }
  });

  it('user patterns, with or without the g flag', () => {
    const custom = createRedactor({
      patterns: [/ssn-\d+/, { name: 'pin', pattern: /pin:\d{4}/g }],
    });
    expect(custom.redactText('ssn-1 ssn-22 pin:1234')).toBe(
      '[REDACTED:custom-0] [REDACTED:custom-0] [REDACTED:pin]',
    );
  });
});

describe('redact: structure and caps', () => {
  it('parses JSON strings and redacts them as structure, keeping them strings', () => {
    const out = redact({ body: '{"a":1,"apiKey":"k"}' }) as { body: string };
    expect(JSON.parse(out.body)).toEqual({ a: 1, apiKey: '[REDACTED]' });
  });

  it('depth cap marks truncation', () => {
    const out = redact({ a: { b: { c: { d: 1 } } } }, { maxDepth: 2 });
    expect(out).toEqual({ a: { b: '[TRUNCATED: depth]' } });
  });

  it('item caps on arrays and objects', () => {
    expect(redact([1, 2, 3, 4, 5], { maxItems: 2 })).toEqual([1, 2, '[TRUNCATED: 3 more items]']);
    expect(redact({ a: 1, b: 2, c: 3 }, { maxItems: 2 })).toEqual({
      a: 1,
      b: 2,
      '[TRUNCATED]': '1 more keys',
    });
  });

  it('string cap cuts at a token boundary and reports the original length', () => {
    const text = `${'word '.repeat(10)}abcdefghij`;
    const out = createRedactor({ maxStringLength: 20 }).redactText(text);
    expect(out).toBe(`word word word word …[TRUNCATED: ${text.length} chars]`);
  });

  it('a secret straddling the cut is redacted whole, not half-kept', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl';
    const out = createRedactor({ maxStringLength: 30 }).redactText(`${'x '.repeat(10)}${jwt} tail`);
    expect(out).not.toContain('eyJ');
    expect(out).toContain('[REDACTED:jwt]');
  });

  it('total size cap stops the walk', () => {
    const big = Array.from({ length: 100 }, (_, i) => ({ i, text: 'y'.repeat(100) }));
    const out = JSON.stringify(redact(big, { maxBytes: 1000, maxItems: 500 }));
    expect(out.length).toBeLessThan(2000);
    expect(out).toContain('[TRUNCATED');
  });

  it('special values become plain data', () => {
    const err = new Error('boom token=abc', { cause: new TypeError('inner') });
    const out = redact({
      when: new Date(0),
      re: /x/g,
      map: new Map([
        ['password', 'p'],
        ['k', 'v'],
      ]),
      set: new Set([1, 2]),
      bytes: new Uint8Array(3),
      big: 12n,
      fn: function named() {},
      sym: Symbol('s'),
      nan: Number.NaN,
      undef: undefined,
      err,
      url: new URL('https://x.test/p?a=1'),
    }) as Record<string, any>;
    expect(out).toMatchObject({
      when: '1970-01-01T00:00:00.000Z',
      re: '/x/g',
      map: { password: '[REDACTED]', k: 'v' },
      set: [1, 2],
      bytes: '[BINARY: 3 bytes]',
      big: '12',
      fn: '[Function named]',
      sym: 'Symbol(s)',
      nan: 'NaN',
      url: 'https://x.test/p?[REDACTED:query]', // a URL never keeps its query
    });
    expect('undef' in out).toBe(false);
    expect(out.err).toMatchObject({
      name: 'Error',
      message: 'boom token=[REDACTED]',
      cause: { name: 'TypeError', message: 'inner' },
    });
  });

  it('a throwing getter or toJSON does not break redaction', () => {
    const hostile = {
      get bad() {
        throw new Error('no');
      },
      toJSONHolder: {
        toJSON: () => {
          throw new Error('no');
        },
      },
    };
    expect(redact(hostile)).toEqual({ bad: '[UNREADABLE]', toJSONHolder: '[UNREADABLE]' });
  });

  it('repeated (non-circular) references are written each time', () => {
    const shared = { v: 1 };
    expect(redact({ a: shared, b: shared })).toEqual({ a: { v: 1 }, b: { v: 1 } });
  });

  it('validates its options', () => {
    expect(() => createRedactor({ maxDepth: 0 })).toThrow(RangeError);
    expect(() => createRedactor({ maxDepth: 0 })).toThrow(/`redact.maxDepth`/);
    expect(() => createRedactor({ maxItems: 'x' as never })).toThrow(TypeError);
    expect(() => createRedactor({ keys: [3 as never] })).toThrow(/`redact.keys\[0\]`/);
    expect(() => createRedactor({ patterns: [{ name: 'x' } as never] })).toThrow(
      /`redact.patterns\[0\]`/,
    );
  });
});
