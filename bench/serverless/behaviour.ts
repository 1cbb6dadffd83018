/**
 * What each peer does on the handler shapes and failures teams meet, measured by running
 * it: under a fake Lambda runtime that picks streaming or buffered by the handler's marker
 * as the runtime interface client does (test/serverless/support/fake-runtime.ts), behind
 * a real node:http server, with a Web Request. Each scenario returns one cell per peer,
 * written from what was observed (results, lines written, bytes, counts).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { invoke, streamifyResponse } from '../../test/serverless/support/fake-runtime.js';
import { type AnyHandler, capture, captured, type Peer, release } from './peers.js';

const hang = () => new Promise<never>(() => {});
const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `fn` with stdout captured and uncaught errors counted instead of crashing. */
async function observe<T>(
  fn: () => Promise<T>,
): Promise<{ value: T; lines: string[]; uncaught: number; unhandled: number }> {
  let uncaught = 0;
  let unhandled = 0;
  const onUncaught = () => uncaught++;
  const onUnhandled = () => unhandled++;
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUnhandled);
  // Powertools warns on stderr ("No application metrics to publish"): not a result.
  const stderr = process.stderr.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  capture();
  try {
    const value = await fn();
    await sleep(50);
    return { value, lines: [...captured], uncaught, unhandled };
  } finally {
    release();
    process.stderr.write = stderr;
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onUnhandled);
  }
}

const withEvent = (lines: string[], marker: string, error: RegExp) =>
  lines.filter((l) => l.includes(marker) && error.test(l)).length;

export type Scenario = { name: string; run(peer: Peer): Promise<string> };

export const SCENARIOS: Scenario[] = [
  {
    name: 'callback-style `(event, context, callback)` under the runtime',
    async run(peer) {
      const handler = ((_e: unknown, _c: unknown, cb: (e: unknown, r?: unknown) => void) => {
        setTimeout(() => {
          try {
            cb(null, 'ok');
          } catch (error) {
            queueMicrotask(() => {
              throw error;
            });
          }
        }, 10);
      }) as unknown as AnyHandler;
      const o = await observe(() => invoke(peer.wrap(handler), {}, { budgetMs: 1000 }));
      return o.value.result === 'ok'
        ? `✓ result 'ok' via the ${o.value.channel}`
        : `✗ runtime got ${JSON.stringify(o.value.result)} via the ${o.value.channel}; ${o.uncaught} uncaught TypeError`;
    },
  },
  {
    name: 'response streaming (`streamifyResponse`)',
    async run(peer) {
      const g = globalThis as { awslambda?: unknown };
      g.awslambda = { streamifyResponse, HttpResponseStream: { from: (s: unknown) => s } };
      try {
        if (peer.name === 'selfheal') {
          const fn = async (_e: unknown, s: { write(x: string): void; end(): void }) => {
            s.write('hello');
            s.end();
          };
          const a = await invoke(streamifyResponse(peer.wrap(fn as never)), {}, { budgetMs: 1000 });
          const b = await invoke(peer.wrap(streamifyResponse(fn) as never), {}, { budgetMs: 1000 });
          return `${a.body === 'hello' && b.body === 'hello' ? '✓' : '✗'} both orders (body ${JSON.stringify(a.body)}, ${JSON.stringify(b.body)})`;
        }
        const wrapped = peer.wrap((async () => 'hello') as never, { streaming: true });
        const r = await invoke(wrapped, {}, { budgetMs: 1000 });
        return `${r.body === 'hello' ? '✓' : '✗'} with \`{ streamifyResponse: true }\` (body ${JSON.stringify(r.body)}); \`streamifyResponse(fn)\` inside: ✗ no option for it`;
      } finally {
        g.awslambda = undefined;
      }
    },
  },
  {
    name: 'timeout: handler hangs, 600 ms budget, runtime kills at the budget',
    async run(peer) {
      let aborted = false;
      const handler = ((_e: unknown, _c: unknown, third: { signal?: AbortSignal }) => {
        third?.signal?.addEventListener('abort', () => {
          aborted = true;
        });
        return hang();
      }) as unknown as AnyHandler;
      const start = Date.now();
      const o = await observe(() =>
        invoke(peer.wrap(handler), { orderId: 'ord-77' }, { budgetMs: 600 }),
      );
      const answered = o.value.killed
        ? 'killed at 600 ms'
        : `${(o.value.error as Error)?.name} at ${Math.round((Date.now() - start - 50) / 50) * 50} ms`;
      const records = withEvent(o.lines, 'ord-77', /Deadline|Timeout|timeout/);
      return `${answered}; signal ${aborted ? 'aborted' : 'not aborted'}; ${records} record with the event and the timeout`;
    },
  },
  {
    name: 'exception: event with a bearer token and a card number',
    async run(peer) {
      const handler = (async () => {
        throw new Error('card declined');
      }) as unknown as AnyHandler;
      const event = {
        orderId: 'ord-88',
        headers: { Authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln' },
        card: '4111 1111 1111 1111',
      };
      const o = await observe(() => invoke(peer.wrap(handler), event, { budgetMs: 3000 }));
      const records = withEvent(o.lines, 'ord-88', /card declined/);
      const leaks = o.lines.filter(
        (l) => l.includes('4111 1111 1111 1111') || l.includes('eyJzdWIiOiIxIn0'),
      ).length;
      const eventLines = o.lines.filter((l) => l.includes('ord-88')).length;
      return `${records} record with the event and the error; ${eventLines} line(s) with the event; ${leaks} line(s) leak the token or card`;
    },
  },
  {
    name: 'isolation: 50 concurrent invocations, one times out',
    async run(peer) {
      const aborted = new Set<number>();
      const handler = (async (e: { i: number }, _c: unknown, third: { signal?: AbortSignal }) => {
        third?.signal?.addEventListener('abort', () => aborted.add(e.i));
        if (e.i === 0) return hang();
        await sleep(700);
        return e.i;
      }) as unknown as AnyHandler;
      const wrapped = peer.wrap(handler);
      await observe(() =>
        Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            invoke(wrapped, { i }, { budgetMs: i === 0 ? 500 : 10_000 }),
          ),
        ),
      );
      aborted.delete(0);
      return `${aborted.size} of 49 neighbours' signals aborted`;
    },
  },
  {
    name: 'record size: 1 MB event (Japanese text), error with a 300 KB message',
    async run(peer) {
      const text = '注文の処理に失敗しました。';
      const handler = (async () => {
        throw new Error(text.repeat(8_000));
      }) as unknown as AnyHandler;
      const event = { orderId: 'ord-99', note: text.repeat(27_000) };
      const o = await observe(() => invoke(peer.wrap(handler), event, { budgetMs: 3000 }));
      const largest = Math.max(0, ...o.lines.map(bytes));
      return `largest line ${largest.toLocaleString('en')} bytes${largest > 262_144 ? ' (over CloudWatch’s 256 KB event limit)' : ''}`;
    },
  },
  {
    name: 'fetch-style: a Web `Request` event (Vercel, Netlify, Cloudflare, Azure)',
    async run(peer) {
      const handler = (async () => {
        throw new Error('inventory down');
      }) as unknown as AnyHandler;
      const request = new Request('https://shop.example/orders/42?token=q-secret', {
        method: 'POST',
        headers: { authorization: 'Bearer abc.def.ghi' },
        body: '{"item":"lamp"}',
      });
      const o = await observe(async () =>
        (peer.wrap(handler) as (r: Request) => Promise<unknown>)(request).catch(() => undefined),
      );
      const line = o.lines.find((l) => l.includes('inventory down') || l.includes('"event"'));
      if (!line) return 'nothing recorded';
      const event = (JSON.parse(line) as { event?: unknown }).event;
      return `event recorded as ${JSON.stringify(event).slice(0, 120)}`;
    },
  },
  {
    name: 'Node `(req, res)` behind node:http: the handler throws',
    async run(peer) {
      const handler = (async () => {
        throw new Error('boom');
      }) as unknown as AnyHandler;
      const server = createServer(peer.wrap(handler) as never);
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      try {
        const o = await observe(async () => {
          const r = await fetch(url, { signal: AbortSignal.timeout(1000) }).catch((e: Error) => e);
          return r instanceof Response
            ? `HTTP ${r.status}`
            : 'no answer (client timed out after 1 s)';
        });
        return `${o.value}; ${o.unhandled} unhandled rejection(s)`;
      } finally {
        server.closeAllConnections();
        await new Promise((r) => server.close(r));
      }
    },
  },
];
