/**
 * Node's `(req, res)` handlers behind a real node:http server on 127.0.0.1 (and Express,
 * whose `next` is the error channel): a throw answers 500 and never becomes an unhandled
 * rejection, a timeout answers `onTimeout`'s response or 504, the request is recorded as
 * method, URL without query and redacted headers.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Diagnostic, instrument } from '../../src/serverless/index.js';
import { memorySink } from '../../src/telemetry/index.js';

let server: Server | undefined;
const unhandled = vi.fn();

async function serve(
  listener: (req: IncomingMessage, res: ServerResponse) => unknown,
): Promise<string> {
  server = createServer(listener as never);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const SECRET_HEADERS = { authorization: 'Bearer node-secret-Qw12', cookie: 'sid=node-cookie-Er34' };

describe('instrument: Node (req, res) handlers on a real server', () => {
  beforeEach(() => {
    unhandled.mockClear();
    process.on('unhandledRejection', unhandled);
  });
  afterEach(async () => {
    process.off('unhandledRejection', unhandled);
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
  });

  it('a throw answers 500, writes the diagnostic, is no unhandled rejection, and the server keeps serving', async () => {
    const sink = memorySink();
    let calls = 0;
    const base = await serve(
      instrument(
        async (req: IncomingMessage, res: ServerResponse) => {
          if (++calls === 1) throw new Error(`cannot serve ${req.url}`);
          res.writeHead(200).end('fine');
        },
        { sink, advice: false },
      ),
    );
    const failed = await fetch(`${base}/orders/7?session=node-query-Ty56`, {
      headers: SECRET_HEADERS,
    });
    expect(failed.status).toBe(500);
    expect(await failed.text()).toBe('Internal Server Error');
    const ok = await fetch(`${base}/orders/8`);
    expect([ok.status, await ok.text()]).toEqual([200, 'fine']);
    await new Promise((r) => setImmediate(r));
    expect(unhandled).not.toHaveBeenCalled();

    const [diagnostic] = sink.records<Diagnostic>();
    expect(diagnostic).toMatchObject({
      reason: 'exception',
      event: {
        method: 'GET',
        url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/orders\/7$/),
        headers: { authorization: '[REDACTED]', cookie: '[REDACTED]' },
      },
    });
    // The request, not the IncomingMessage's internals: no socket, a few hundred bytes.
    expect(Object.keys(diagnostic!.event as object).sort()).toEqual(['headers', 'method', 'url']);
    expect(JSON.stringify(diagnostic!.event).length).toBeLessThan(1000);
    for (const secret of ['node-secret-Qw12', 'node-cookie-Er34', 'node-query-Ty56'])
      expect(sink.lines.join('\n')).not.toContain(secret);
    expect(handlerHealth(sink)).toBe(1);
  });

  it("reads the platform's request id from the request headers", async () => {
    const sink = memorySink();
    const base = await serve(
      instrument(
        (_req: IncomingMessage, _res: ServerResponse) => {
          throw new Error('x');
        },
        { sink, advice: false },
      ),
    );
    await fetch(base, { headers: { 'x-request-id': 'edge-req-91' } });
    expect(sink.records<Diagnostic>()[0]?.context.requestId).toBe('edge-req-91');
  });

  it('onTimeout is the response at the early deadline; without it the client gets 504', async () => {
    const sink = memorySink();
    const hang = (_req: IncomingMessage, _res: ServerResponse) => {};
    const options = { sink, advice: false as const, timeoutMs: 300, timeoutMarginMs: 100 };
    const withFallback = instrument(hang, {
      ...options,
      onTimeout: () => ({ statusCode: 503, headers: { 'retry-after': '1' }, body: 'busy, retry' }),
    });
    const bare = instrument(hang, options);
    const base = await serve((req, res) =>
      req.url === '/fallback' ? withFallback(req, res) : bare(req, res),
    );
    const slow = await fetch(`${base}/fallback`);
    expect([slow.status, slow.headers.get('retry-after'), await slow.text()]).toEqual([
      503,
      '1',
      'busy, retry',
    ]);
    const timedOut = await fetch(`${base}/bare`);
    expect([timedOut.status, await timedOut.text()]).toEqual([504, 'Gateway Timeout']);
    expect(sink.records<Diagnostic>().map((d) => d.reason)).toEqual(['timeout', 'timeout']);
    expect(withFallback.health().outcomes.timeout).toBe(1);
  });

  it('the invocation lasts until the response ends, not until the handler returns', async () => {
    const sink = memorySink();
    const handler = instrument(
      (_req: IncomingMessage, res: ServerResponse) => {
        setTimeout(() => res.end('later'), 50);
      },
      { sink, advice: false },
    );
    const base = await serve(handler);
    expect(await (await fetch(base)).text()).toBe('later');
    await new Promise((r) => setImmediate(r));
    expect(handler.health()).toMatchObject({ outcomes: { success: 1 } });
    expect(handler.health().lastDurationMs).toBeGreaterThanOrEqual(40);
  });

  it("Express: a failure goes to next(error), Express's error channel, with the diagnostic written", async () => {
    const sink = memorySink();
    const app = express();
    app.get(
      '/pay',
      instrument(
        async (_req: IncomingMessage, _res: ServerResponse, _next: unknown, tools) => {
          tools.log.info('charging');
          throw new Error('gateway said no');
        },
        { sink, advice: false },
      ),
    );
    app.use((error: Error, _req: unknown, res: express.Response, _next: unknown) => {
      res.status(502).send(`upstream: ${error.message}`);
    });
    const base = await serve(app);
    const response = await fetch(`${base}/pay`);
    expect([response.status, await response.text()]).toEqual([502, 'upstream: gateway said no']);
    expect(sink.records<Diagnostic>().find((r) => r.type === 'diagnostic')?.reason).toBe(
      'exception',
    );
    expect(unhandled).not.toHaveBeenCalled();
  });
});

function handlerHealth(sink: ReturnType<typeof memorySink>): number {
  return sink.records<Diagnostic>().filter((r) => r.type === 'diagnostic').length;
}
