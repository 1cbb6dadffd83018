import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLogger, createRedactor, memorySink, redact } from '../../src/telemetry/index.js';
import { bigBodyEvent, corpus, leaks, PASSWORD, SECRETS, SESSION_JWT } from './fixtures/corpus.js';

describe('redaction corpus', () => {
  const redactor = createRedactor();

  it.each(Object.entries(corpus()))(
    '%s: no secret, nor any 8-character piece of one, in the output',
    (_name, event) => {
      const out = JSON.stringify(redactor.redact(event));
      expect(leaks(out)).toEqual([]);
      expect(out).toMatch(/\[REDACTED/);
    },
  );

  it('the corpus really contains the secrets (the leak check can fail)', () => {
    const raw = JSON.stringify(corpus().apiGatewayV1) + JSON.stringify(corpus().sqsEvent);
    expect(leaks(raw).length).toBeGreaterThan(5);
  });

  it('keeps what is not sensitive, so the diagnostic stays useful', () => {
    const out = redactor.redact(corpus().apiGatewayV1) as Record<string, any>;
    expect(out.httpMethod).toBe('POST');
    expect(out.headers['User-Agent']).toBe('curl/8.4.0');
    expect(out.headers.Authorization).toBe('[REDACTED]');
    const body = JSON.parse(out.body);
    expect(body.items).toEqual([{ sku: 'A-1', qty: 2 }]);
    expect(body.customer).toEqual({ email: 'ana@example.com', password: '[REDACTED]' });
    expect(body.payment.note).toBe('paying with [REDACTED:card]');
  });

  it('a form-encoded body and a Basic credential are redacted in place', () => {
    const out = redactor.redact(corpus().apiGatewayV2) as Record<string, any>;
    expect(out.body).toBe('username=ana&password=[REDACTED]&remember=1');
    expect(out.headers.authorization).toBe('[REDACTED]');
    expect(out.rawQueryString).toBe('next=%2Fhome&api_key=[REDACTED]');
    expect(out.cookies).toBe('[REDACTED]');
  });

  it('handles a 5 MB body quickly and returns a bounded, marked output', () => {
    const event = bigBodyEvent();
    expect(event.body.length).toBeGreaterThan(5 * 1024 * 1024);
    const start = performance.now();
    const out = JSON.stringify(redactor.redact(event));
    const elapsed = performance.now() - start;
    expect(elapsed).toBeLessThan(250);
    expect(out.length).toBeLessThan(70_000);
    expect(out).toMatch(/\[TRUNCATED: \d+ chars\]/);
    expect(leaks(out)).toEqual([]);
  });

  it('marks circular references and still redacts beside them', () => {
    const out = redactor.redact(corpus().circular) as Record<string, any>;
    expect(out.self).toBe('[CIRCULAR]');
    expect(out.child.parent).toBe('[CIRCULAR]');
    expect(out.child.list[2]).toEqual({ password: '[REDACTED]' });
    expect(JSON.stringify(out)).not.toContain(SESSION_JWT);
  });

  it('a logger writing the whole corpus leaks nothing', () => {
    const sink = memorySink();
    const log = createLogger({ sink, level: 'debug' });
    for (const [name, event] of Object.entries(corpus())) log.info(`received ${name}`, { event });
    expect(sink.lines).toHaveLength(7);
    expect(leaks(sink.lines.join('\n'))).toEqual([]);
  });
});

// Secrets for the property test: long, from an alphabet the filler never uses, so any
// 8-character piece of one in the output can only come from the secret.
const SECRET_CHARS = 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789';
const secretArb = fc.string({
  unit: fc.constantFrom(...SECRET_CHARS),
  minLength: 16,
  maxLength: 40,
});
const fillerArb = fc.string({
  unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz '.split('')),
  maxLength: 30,
});
const deniedKeyArb = fc
  .tuple(
    fc.constantFrom('', 'x-', 'user_', 'my', 'Upstream'),
    fc.constantFrom(
      'password',
      'Passwd',
      'SECRET',
      'token',
      'api-key',
      'apikey',
      'x-api-key',
      'Credential',
      'passphrase',
      'private_key',
      'Session',
      'Authorization',
      'cookie',
      'set-cookie',
    ),
    fc.constantFrom('', 'Id', '_value', 's'),
  )
  .map(([a, b, c]) => a + b + c);

// A secret planted in one of the ways the redactor promises to catch.
const plantedArb = fc.oneof(
  fc.record({ kind: fc.constant('key' as const), key: deniedKeyArb, secret: secretArb }),
  fc.record({ kind: fc.constant('bearer' as const), secret: secretArb, filler: fillerArb }),
  fc.record({
    kind: fc.constant('pair' as const),
    key: deniedKeyArb,
    secret: secretArb,
    filler: fillerArb,
  }),
  fc.record({ kind: fc.constant('json' as const), key: deniedKeyArb, secret: secretArb }),
  fc.record({ kind: fc.constant('sns' as const), key: deniedKeyArb, secret: secretArb }),
  fc.record({
    kind: fc.constant('aws' as const),
    secret: fc.string({ unit: fc.constantFrom(...SECRET_CHARS), minLength: 16, maxLength: 16 }),
    filler: fillerArb,
  }),
);

type Planted = typeof plantedArb extends fc.Arbitrary<infer T> ? T : never;

function plant(p: Planted): { value: unknown; secret: string; key?: string } {
  switch (p.kind) {
    case 'key':
      return { key: p.key, value: p.secret, secret: p.secret };
    case 'bearer':
      return { value: `${p.filler} Bearer ${p.secret} ${p.filler}`, secret: p.secret };
    case 'pair':
      return { value: `${p.filler} ${p.key}=${p.secret}&next=1`, secret: p.secret };
    case 'sns':
      return {
        value: JSON.stringify({ Message: JSON.stringify({ id: 1, [p.key]: p.secret }) }),
        secret: p.secret,
      };
    case 'json':
      return { value: JSON.stringify({ note: 'x', [p.key]: p.secret }), secret: p.secret };
    default:
      return { value: `${p.filler} AKIA${p.secret} ${p.filler}`, secret: `AKIA${p.secret}` };
  }
}

describe('redaction property', () => {
  // maxParseLength 1 sends every JSON string through the text scanner instead of the parser.
  it.each([
    ['JSON strings parsed', createRedactor({ maxDepth: 12 })],
    ['JSON strings scanned as text', createRedactor({ maxDepth: 12, maxParseLength: 1 })],
  ])('random objects with planted secrets never leak them (%s)', (_mode, redactor) => {
    const objectArb = fc.tuple(
      fc.jsonValue({ maxDepth: 3 }),
      fc.array(
        fc.tuple(
          plantedArb,
          fc.array(fc.constantFrom('a', 'b', 'items', 'meta'), { maxLength: 4 }),
        ),
        {
          minLength: 1,
          maxLength: 5,
        },
      ),
    );
    fc.assert(
      fc.property(objectArb, ([base, plants]) => {
        const root: Record<string, unknown> = { base };
        const secrets: string[] = [];
        for (const [planted, path] of plants) {
          let node = root;
          for (const step of path) {
            node[step] =
              typeof node[step] === 'object' && node[step] !== null && !Array.isArray(node[step])
                ? node[step]
                : {};
            node = node[step] as Record<string, unknown>;
          }
          const { value, secret, key } = plant(planted);
          node[key ?? `field${secrets.length}`] = value;
          secrets.push(secret);
        }
        const redacted = redactor.redact(root);
        const out = JSON.stringify(redacted);
        expect(leaks(out, secrets)).toEqual([]);
        // Idempotent: a redacted record passed through again (a logger of a logger) is unchanged.
        expect(redactor.redact(redacted)).toEqual(redacted);
      }),
      { numRuns: 300 },
    );
  });

  it('a planted secret is found when redaction is bypassed (the property can fail)', () => {
    const secret = 'QWERTY1234567890ZXCV';
    expect(leaks(JSON.stringify({ password: secret }), [secret])).toHaveLength(1);
    expect(leaks(JSON.stringify(redact({ password: secret })), [secret])).toHaveLength(0);
    expect(SECRETS).toContain(PASSWORD);
  });
});
