import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import ky from 'ky';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../src/http/index.js';
import { instrument } from '../../src/serverless/index.js';
import { connect, eventLogger, memorySink, redact } from '../../src/telemetry/index.js';

// Issue 9 end to end: a real server answers 400 with personal data and a hostile body to
// a request whose URL carries secrets in its query; nothing of it may reach a log line or
// a diagnostic. Each assertion failed on the code before the fix.
const QUERY_SECRETS = ['AIzaQ3k9Lm2Xp7Rt', 'hmacQ1w2e3r4', 'oauthC0de9Z4sT7vQ'];
const QUERY = `key=${QUERY_SECRETS[0]}&sig=${QUERY_SECRETS[1]}&code=${QUERY_SECRETS[2]}`;
const PERSONAL = ['ana@example.com', '078-05-1120', 'bob@example.com', '219-09-9999'];

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(400, { 'Content-Type': 'application/json' });
      // The error body: personal data, and 100 kB that once stalled redaction for seconds.
      res.end(
        JSON.stringify({
          user: 'ana@example.com',
          ssn: '078-05-1120',
          trace: 'eyJ'.repeat(33_334),
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const kyError = () =>
  ky
    .post(`${base}/v1/orders?${QUERY}`, {
      json: { email: 'bob@example.com', ssn: '219-09-9999' },
      retry: 0,
    })
    .then(
      () => expect.unreachable('the server answers 400'),
      (error: unknown) => error,
    );

describe('a thrown ky HTTPError in diagnostics', () => {
  it('serialises with status, method and URL without its query; no data, options, request, response', async () => {
    const error = await kyError();
    expect((error as { data?: unknown }).data).toBeDefined(); // ky did read the body
    const out = redact(error) as Record<string, unknown>;
    expect(out).toMatchObject({
      name: 'HTTPError',
      status: 400,
      method: 'POST',
      url: `${base}/v1/orders`,
    });
    for (const key of ['data', 'options', 'request', 'response'])
      expect(out).not.toHaveProperty(key);
    const text = JSON.stringify(out);
    for (const secret of [...QUERY_SECRETS, ...PERSONAL]) expect(text).not.toContain(secret);
  });
});

describe('through selfheal/http and instrument()', () => {
  it("the diagnostic's msg, error, stack and selfheal.events carry no query secret and no body", async () => {
    const api = createClient({ baseUrl: `${base}/`, retry: { limit: 0 } });
    const sink = memorySink();
    const disconnect = connect(eventLogger({ sink }), api);
    const diagnostics: unknown[] = [];
    const handler = instrument(
      async () => {
        await api.post(`v1/orders?${QUERY}`, {
          json: { email: 'bob@example.com', ssn: '219-09-9999' },
        });
      },
      {
        sources: [api],
        onDiagnostic: (d) => diagnostics.push(d),
        sink: memorySink(),
        timeoutMs: 10_000,
      },
    );
    const thrown = await handler({ path: '/orders' }).then(
      () => expect.unreachable('the handler fails'),
      (error: unknown) => error,
    );
    disconnect();
    // The user's error is re-thrown as it was: only what is written is redacted.
    expect((thrown as Error).message).toContain(QUERY);

    expect(diagnostics).toHaveLength(1);
    const diagnostic = diagnostics[0] as {
      msg: string;
      error: { message: string; stack: string; status?: number };
      selfheal: { events: unknown[] };
    };
    expect(diagnostic.msg).toContain('/v1/orders?[REDACTED:query]');
    expect(diagnostic.error.stack).toContain('/v1/orders?[REDACTED:query]');
    expect(diagnostic.error.status).toBe(400);
    expect(diagnostic.selfheal.events.length).toBeGreaterThan(0);
    const written = [JSON.stringify(diagnostic), ...sink.lines].join('\n');
    expect(sink.lines.length).toBeGreaterThan(0);
    for (const secret of [...QUERY_SECRETS, ...PERSONAL]) expect(written).not.toContain(secret);
  });
});
