/**
 * Fetch-style handlers `(request, context?) => Response`, called with a real Web Request
 * as the platforms call them: Vercel (`GET(request)`), Netlify v2 (`(req, context)`),
 * Cloudflare Workers (`fetch(request, env, ctx)`), Azure Functions v4 (`(request, context)`).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeadlineExceededError } from '../../src/core/index.js';
import { type Diagnostic, type InvocationTools, instrument } from '../../src/serverless/index.js';
import { memorySink } from '../../src/telemetry/index.js';
import { never } from './helpers.js';

const SECRET = 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln';

function order(init: { headers?: Record<string, string>; body?: string } = {}): Request {
  return new Request('https://shop.example/orders/42?token=q-secret-77&page=2', {
    method: 'POST',
    headers: { authorization: SECRET, 'content-type': 'application/json', ...init.headers },
    body: init.body ?? JSON.stringify({ item: 'lamp', password: 'hunter2' }),
  });
}

describe('instrument: fetch-style handlers', () => {
  it('records the request as method, URL without query, redacted headers and the body; the handler still reads its body', async () => {
    const sink = memorySink();
    let parsed: unknown;
    const handler = instrument(
      async (request: Request) => {
        parsed = await request.json();
        throw new Error('inventory down');
      },
      { sink, advice: false },
    );
    await expect(handler(order({ headers: { 'x-vercel-id': 'fra1::abc-123' } }))).rejects.toThrow(
      'inventory down',
    );
    expect(parsed).toEqual({ item: 'lamp', password: 'hunter2' });
    const [diagnostic] = sink.records<Diagnostic>();
    expect(diagnostic!.event).toEqual({
      method: 'POST',
      url: 'https://shop.example/orders/42',
      headers: {
        authorization: '[REDACTED]',
        'content-type': 'application/json',
        'x-vercel-id': 'fra1::abc-123',
      },
      body: JSON.stringify({ item: 'lamp', password: '[REDACTED]' }),
    });
    expect(diagnostic!.context.requestId).toBe('fra1::abc-123');
    for (const secret of ['hunter2', 'q-secret-77', 'eyJzdWIiOiIxIn0'])
      expect(sink.lines[0]).not.toContain(secret);
  });

  it('caps the recorded body; the handler reads all of it', async () => {
    const sink = memorySink();
    const big = JSON.stringify({ rows: 'x'.repeat(1_000_000) });
    let length = 0;
    const handler = instrument(
      async (request: Request) => {
        length = (await request.text()).length;
        throw new Error('too big');
      },
      { sink, advice: false, maxEventBytes: 4096 },
    );
    await expect(handler(order({ body: big }))).rejects.toThrow('too big');
    expect(length).toBe(big.length);
    const body = (sink.records<Diagnostic>()[0]!.event as { body: string }).body;
    expect(body.length).toBeLessThan(4096 + 100);
    expect(body).toMatch(/^\{"rows":"x+.*\[TRUNCATED/);
  });

  it("reads the platform's invocation id: Netlify's context.requestId, Azure's invocationId, Cloudflare's cf-ray", async () => {
    const sink = memorySink();
    const handler = instrument(
      async (_request: Request, _context: unknown) => {
        throw new Error('x');
      },
      { sink, advice: false },
    );
    await handler(order(), { requestId: 'nf-01J' }).catch(() => {});
    await handler(order(), { invocationId: 'az-7f3', functionName: 'orders-http' }).catch(() => {});
    await handler(order({ headers: { 'cf-ray': '8a1b2c3d4e5f-FRA' } })).catch(() => {});
    expect(
      sink.records<Diagnostic>().map((d) => [d.context.requestId, d.context.functionName]),
    ).toEqual([
      ['nf-01J', 'handler'],
      ['az-7f3', 'orders-http'],
      ['8a1b2c3d4e5f-FRA', 'handler'],
    ]);
  });

  it("Cloudflare's fetch(request, env, ctx): the tools come fourth, env is never recorded", async () => {
    const sink = memorySink();
    let got: InvocationTools | undefined;
    const worker = {
      fetch: instrument(
        async (
          request: Request,
          env: { API_KEY: string },
          _ctx: { waitUntil(p: Promise<unknown>): void },
          tools,
        ) => {
          got = tools;
          if (env.API_KEY) throw new Error(`upstream refused ${new URL(request.url).pathname}`);
          return new Response('ok');
        },
        { sink, advice: false },
      ),
    };
    const env = { API_KEY: 'cf-live-key-Zx81' };
    await expect(worker.fetch(order(), env, { waitUntil: () => {} })).rejects.toThrow(
      'upstream refused',
    );
    expect(typeof got?.signal).toBe('object');
    expect(sink.lines.join('\n')).not.toContain('cf-live-key-Zx81');
  });

  it('a GET without a body records no body and calls the handler at once', async () => {
    const sink = memorySink();
    let started = false;
    const handler = instrument(
      async (_request: Request) => {
        started = true;
        return new Response('fine');
      },
      { sink, advice: false },
    );
    const pending = handler(new Request('https://shop.example/health?x=1'));
    expect(started).toBe(true);
    expect(await (await pending).text()).toBe('fine');
  });

  describe('timeouts (fake timers)', () => {
    beforeEach(() => vi.useFakeTimers());
    afterEach(() => {
      expect(vi.getTimerCount()).toBe(0);
      vi.useRealTimers();
    });

    it('onTimeout gives the Response; without it the invocation rejects with DeadlineExceededError', async () => {
      const sink = memorySink();
      const options = { sink, advice: false as const, timeoutMs: 1000, timeoutMarginMs: 100 };
      const handler = instrument(async (_r: Request) => never<Response>(), {
        ...options,
        onTimeout: () => new Response('try again', { status: 503 }),
      });
      const answer = handler(new Request('https://shop.example/slow'));
      await vi.advanceTimersByTimeAsync(900);
      expect((await answer).status).toBe(503);
      const bare = instrument(async (_r: Request) => never<Response>(), options);
      const failed = bare(new Request('https://shop.example/slow')).catch((e: unknown) => e);
      await vi.advanceTimersByTimeAsync(900);
      expect(await failed).toBeInstanceOf(DeadlineExceededError);
      expect(
        sink.records<Diagnostic>().map((d) => [d.reason, (d.event as { url: string }).url]),
      ).toEqual([
        ['timeout', 'https://shop.example/slow'],
        ['timeout', 'https://shop.example/slow'],
      ]);
    });
  });
});
