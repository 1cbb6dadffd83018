import { describe, expect, it } from 'vitest';
import { EventHub, type SelfhealEvent } from '../../src/core/index.js';
import { instrument } from '../../src/serverless/index.js';
import {
  chatWebhook,
  connect,
  createLogger,
  createRedactor,
  eventLogger,
  memorySink,
  redact,
  serializeError,
} from '../../src/telemetry/index.js';
import { toRedactor } from '../../src/telemetry/internal.js';

// Issue 9, the redaction items: each test failed on the code before the fix.
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY';
const kyMessage = (query: string) =>
  `Request failed with status code 400 Bad Request: GET https://api.example.com/v1/orders?${query}`;

describe('query strings never reach a log', () => {
  const query = `key=AIzaQ3k9Lm2Xp7Rt&sig=hmacQ1w2e3r4&code=oauthC0de9Z4sT7vQ`;
  const secrets = ['AIzaQ3k9Lm2Xp7Rt', 'hmacQ1w2e3r4', 'oauthC0de9Z4sT7vQ'];

  it('the query and fragment of a URL in any text become one marker; the path stays', () => {
    const out = createRedactor().redactText(
      `${kyMessage(query)} see https://x.test/#access_token=t0k3n`,
    );
    expect(out).toBe(
      'Request failed with status code 400 Bad Request: GET https://api.example.com/v1/orders?[REDACTED:query] see https://x.test/#[REDACTED:query]',
    );
  });

  it("an error's message and stack, and the error's own URL field, lose the query", () => {
    const error = Object.assign(new Error(kyMessage(query)), { url: `https://h.test/p?${query}` });
    const out = JSON.stringify(redact({ error }));
    for (const secret of secrets) expect(out).not.toContain(secret);
    const serialised = redact(error) as { message: string; stack: string; url: string };
    expect(serialised.message).toContain('/v1/orders?[REDACTED:query]');
    expect(serialised.stack).toContain('/v1/orders?[REDACTED:query]');
    expect(serialised.url).toBe('https://h.test/p?[REDACTED:query]');
  });

  it('a logger line (message and fields) carries no query', () => {
    const sink = memorySink();
    createLogger({ sink }).warn(`retrying ${kyMessage(query)}`, {
      error: new Error(kyMessage(query)),
    });
    for (const secret of secrets) expect(sink.lines[0]).not.toContain(secret);
    expect(sink.lines[0]).toContain('orders?[REDACTED:query]');
  });

  it('bare query strings and query objects lose key, sig and code when they hold tokens', () => {
    const out = redact({
      rawQueryString: `page=2&${query}`,
      queryStringParameters: {
        page: '2',
        key: 'AIzaQ3k9Lm2Xp7Rt12',
        sig: 'x',
        code: 'oauthC0de9Z4sT7vQ',
      },
    });
    expect(out).toEqual({
      rawQueryString: 'page=2&key=[REDACTED]&sig=[REDACTED]&code=[REDACTED]',
      queryStringParameters: {
        page: '2',
        key: '[REDACTED]',
        sig: '[REDACTED]',
        code: '[REDACTED]',
      },
    });
  });
});

describe('deny-list and pattern gaps', () => {
  it('headers: X-Functions-Key, Ocp-Apim-Subscription-Key, X-Hub-Signature-256, Stripe-Signature, X-Auth', () => {
    const headers = {
      'X-Functions-Key': 'fnkey-1',
      'Ocp-Apim-Subscription-Key': 'apim-2',
      'X-Hub-Signature-256': 'sha256=3',
      'Stripe-Signature': 't=1,v1=4',
      'X-Auth': 'xauth-5',
      'X-Auth-Key': 'cf-6',
      'Content-Type': 'application/json',
    };
    expect(redact(headers)).toEqual({
      'X-Functions-Key': '[REDACTED]',
      'Ocp-Apim-Subscription-Key': '[REDACTED]',
      'X-Hub-Signature-256': '[REDACTED]',
      'Stripe-Signature': '[REDACTED]',
      'X-Auth': '[REDACTED]',
      'X-Auth-Key': '[REDACTED]',
      'Content-Type': 'application/json',
    });
    const text = createRedactor().redactText(
      'X-Functions-Key: fnkey-1\nX-Auth: xauth-5\nAccept: */*',
    );
    expect(text).toBe('X-Functions-Key: [REDACTED]\nX-Auth: [REDACTED]\nAccept: */*');
  });

  it('keys: auth, access_key, signature, and an AWS secret under `key`', () => {
    const out = redact({
      auth: { user: 'ana', pass: 'p4ss' },
      access_key: 'ak-1',
      signature: 'sig-2',
      aws: { id: 'AKIAJ7Q3ZPLX4RW9TNVB', key: AWS_SECRET },
    });
    expect(out).toEqual({
      auth: '[REDACTED]',
      access_key: '[REDACTED]',
      signature: '[REDACTED]',
      aws: { id: '[REDACTED:aws-access-key-id]', key: '[REDACTED]' },
    });
    expect(createRedactor().redactText(`key=${AWS_SECRET}&region=eu-west-1`)).toBe(
      'key=[REDACTED]&region=eu-west-1',
    );
  });

  it('values: PGP private-key blocks, GitHub, Slack, Stripe and Google API keys', () => {
    const pgp = [
      '-----BEGIN PGP PRIVATE KEY BLOCK-----',
      '',
      'lQOYBGXn7ZkBCADJ3kZ9m2Qp4Lw8Rt6Yv1Nc3Xb5Hs7Jd9Kf2Mg4Ph6Qj8Sl0Tn',
      '=Abc1',
      '-----END PGP PRIVATE KEY BLOCK-----',
    ].join('\n');
    const text = [
      `key file:\n${pgp}\nend`,
      'gh: ghp_16C7e42F292c6912E7710c838347Ae178B4a',
      'pat: github_pat_11ABCDEFG0123456789abcdefghijklmnopqrstuvwxyz',
      'slack: xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx',
      'stripe: sk_live_4eC39HqLyjWDarjtT1zdp7dc, whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      'google: AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI',
    ].join('\n');
    expect(createRedactor().redactText(text)).toBe(
      [
        'key file:\n[REDACTED:private-key]\nend',
        'gh: [REDACTED:github-token]',
        'pat: [REDACTED:github-token]',
        'slack: [REDACTED:slack-token]',
        'stripe: [REDACTED:stripe-key], [REDACTED:stripe-key]',
        'google: [REDACTED:google-api-key]',
      ].join('\n'),
    );
  });

  it('ordinary data under short ambiguous names stays readable (no false positives)', () => {
    const data = {
      code: 'ECONNRESET',
      error: { code: 'ERR_HTTP2_STREAM_ERROR', statusCode: 503 },
      pg: { code: '23505' },
      s3: { object: { key: 'photos/2024/cat.jpg', size: 3 } },
      author: 'Ana',
      design: 'v2',
      signal: 'SIGTERM',
      keyboard: 'qwerty',
      pg_code: 'P2002',
    };
    expect(redact(data)).toEqual(data);
    const text = 'connect failed with code: ECONNREFUSED (exit code=1) key=orders/2024/report.csv';
    expect(createRedactor().redactText(text)).toBe(text);
  });

  it('isSensitiveKey answers for the value when given one', () => {
    const { isSensitiveKey } = createRedactor();
    expect(isSensitiveKey('X-Functions-Key')).toBe(true);
    expect(isSensitiveKey('key')).toBe(false);
    expect(isSensitiveKey('key', AWS_SECRET)).toBe(true);
    expect(isSensitiveKey('code', 'ECONNRESET')).toBe(false);
  });
});

describe('hostile structure', () => {
  it('`__proto__` from JSON is kept as data, not turned into the prototype', () => {
    const out = redact(JSON.parse('{"__proto__":{"note":"x"},"a":1}')) as object;
    expect(JSON.stringify(out)).toBe('{"__proto__":{"note":"x"},"a":1}');
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    const error = new Error('e');
    Object.defineProperty(error, '__proto__', { value: { password: 'p' }, enumerable: true });
    const serialised = serializeError(error);
    expect(Object.getPrototypeOf(serialised)).toBe(Object.prototype);
    expect(JSON.stringify(redact(error))).toContain('"__proto__":{"password":"[REDACTED]"}');
  });

  it('an AggregateError nested 3,000 deep is cut like a cause chain, not a RangeError', () => {
    let deep: Error = new Error('root');
    for (let i = 0; i < 3000; i++) deep = new AggregateError([deep], `level ${i}`);
    const out = serializeError(deep);
    let node = out;
    let depth = 0;
    while (node.errors?.[0]) {
      node = node.errors[0];
      depth++;
    }
    expect(depth).toBe(9);
    expect(node).toEqual({ name: 'Truncated', message: '[TRUNCATED: errors]' });
    expect(() => JSON.stringify(redact({ error: deep }))).not.toThrow();
  });

  it('a wide tree of aggregates is bounded in total, not 10^8 errors', () => {
    const tree = (depth: number): Error =>
      depth === 0
        ? new Error('leaf')
        : new AggregateError(
            Array.from({ length: 10 }, () => tree(depth - 1)),
            `d${depth}`,
          );
    let kept = 0;
    let cut = 0;
    const countAll = (e: { name: string; errors?: unknown[] }) => {
      if (e.name === 'Truncated') cut++;
      else kept++;
      for (const inner of e.errors ?? []) countAll(inner as { name: string; errors?: unknown[] });
    };
    countAll(serializeError(tree(4)));
    expect(kept).toBe(64);
    expect(cut).toBeGreaterThan(0);
  });

  it('hostile objects never make redaction or serialisation throw', () => {
    const trap = () => {
      throw new Error('trap');
    };
    const proxy = new Proxy({}, { ownKeys: trap, getPrototypeOf: trap, get: trap });
    const badName = Object.assign(new Error('x'), { name: Object.create(null) });
    const out = redact({ proxy, badName, list: [proxy] }) as Record<string, any>;
    expect(out.proxy).toBe('[UNREADABLE]');
    expect(out.list).toEqual(['[UNREADABLE]']);
    expect(out.badName).toMatchObject({ name: '[UNREADABLE]', message: 'x' });
    expect(serializeError(proxy)).toEqual({ name: 'Unreadable', message: '[UNREADABLE]' });
    expect(serializeError(new Error('outer', { cause: proxy })).cause).toEqual({
      name: 'Unreadable',
      message: '[UNREADABLE]',
    });
  });

  it('chatWebhook does not echo a secret URL in its error', () => {
    expect(() => chatWebhook('ftp://hooks.example/SECRETPATH')).toThrow(
      /Expected `url` to be an http\(s\) URL, got a URL with scheme ftp:$/,
    );
    expect(() => chatWebhook('SECRETPATH')).toThrow(/got something that is not a URL$/);
  });
});

describe('your own secret names and patterns', () => {
  const options = {
    keys: ['ssn', /^pin$/i],
    patterns: [{ name: 'iban', pattern: /\bDE\d{20}\b/g }],
  };
  const IBAN = 'DE89370400440532013000';

  it('reach createLogger, eventLogger and instrument, as options or as a ready redactor', async () => {
    for (const redactOption of [options, createRedactor(options)]) {
      const sink = memorySink();
      createLogger({ sink, redact: redactOption }).info('refund', {
        customer_ssn: '078-05-1120',
        pin: '4821',
        pinned: true,
        note: `to ${IBAN}`,
      });
      const hub = new EventHub();
      const disconnect = connect(eventLogger({ sink, redact: redactOption }), hub);
      hub.emit({
        type: 'failure',
        source: 'retry',
        at: 1,
        error: new Error(`iban ${IBAN}`),
      } as SelfhealEvent);
      disconnect();
      const handler = instrument(
        async () => {
          throw new Error(`refund to ${IBAN} failed`);
        },
        { redact: redactOption, sink },
      );
      await handler({ X_SSN: '078-05-1120' }).catch(() => undefined);

      const [line, event] = sink.records() as Array<Record<string, any>>;
      expect(line).toMatchObject({
        customer_ssn: '[REDACTED]',
        pin: '[REDACTED]',
        pinned: true,
        note: 'to [REDACTED:iban]',
      });
      expect(event!.event.error.message).toBe('iban [REDACTED:iban]');
      const diagnostic = sink.records().find((r) => r.type === 'diagnostic') as Record<string, any>;
      expect(diagnostic.event).toEqual({ X_SSN: '[REDACTED]' });
      expect(diagnostic.msg).toBe('handler failed: Error: refund to [REDACTED:iban] failed');
      expect(sink.lines.join('\n')).not.toMatch(/078-05-1120|DE89370400440532013000|4821/);
    }
  });

  it('toRedactor takes a whole redactor or options, and names what is wrong otherwise', () => {
    const ready = createRedactor();
    expect(toRedactor(ready)).toBe(ready);
    expect(toRedactor({ keys: ['ssn'] }).isSensitiveKey('ssn')).toBe(true);
    expect(toRedactor(undefined).isSensitiveKey('password')).toBe(true);
    const half = { redact: (value: unknown) => value };
    expect(() => toRedactor(half as never)).toThrow(
      'Expected `redact` to be a redactor with redact, redactText, isSensitiveKey (use createRedactor()), got one with redact',
    );
    expect(() => createLogger({ redact: half as never })).toThrow(TypeError);
    expect(() => toRedactor('yes' as never)).toThrow(
      'Expected `redact` to be a redactor or redaction options, got string',
    );
    expect(() => createRedactor({ keys: 'ssn' as never })).toThrow(
      'Expected `redact.keys` to be an array',
    );
    expect(() => createRedactor({ patterns: /x/ as never })).toThrow(
      'Expected `redact.patterns` to be an array',
    );
  });

  it('the documented false positive: a token-shaped S3 key without an extension is redacted', () => {
    expect(redact({ key: 'uploads/a1b2c3d4e5f6g7h8' })).toEqual({ key: '[REDACTED]' });
    expect(redact({ key: 'uploads/a1b2c3d4e5f6g7h8.png' })).toEqual({
      key: 'uploads/a1b2c3d4e5f6g7h8.png',
    });
  });
});
