/**
 * `totalTimeout` bounds a streamed body (`bufferBody: false`) however it is read, against a
 * real node:http server that trickles a byte every 50 ms, forever.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDeadlineExceededError, manualClock } from '../../src/core/index.js';
import { createClient, type HttpEvent } from '../../src/http/index.js';

let server: http.Server;
let base: string;
/** Sockets the server saw closed: a cancelled body frees its connection. */
let closed = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    res.on('close', () => closed++);
    if (req.url === '/short')
      return res.writeHead(200, { 'content-type': 'text/plain' }).end('all of it');
    if (req.url === '/fail') res.writeHead(500, { 'content-type': 'text/plain' });
    else res.writeHead(200, { 'content-type': 'text/plain' });
    const timer = setInterval(() => res.write('.'), 50);
    res.on('close', () => clearInterval(timer));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

/** The outcome of `read`, or 'still reading' after `ms`. */
async function within<T>(ms: number, read: Promise<T>): Promise<T | unknown> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise((r) => {
    timer = setTimeout(() => r('still reading'), ms);
  });
  try {
    return await Promise.race([read.catch((e: unknown) => e), late]);
  } finally {
    clearTimeout(timer);
  }
}

describe('bufferBody: false under totalTimeout, against a trickling server', () => {
  it.each<[string, (r: Response) => Promise<unknown>]>([
    ['text()', (r: Response) => r.text()],
    ['arrayBuffer()', (r: Response) => r.arrayBuffer()],
    [
      'body.getReader()',
      async (r: Response) => {
        const reader = r.body!.getReader();
        for (;;) if ((await reader.read()).done) return 'done';
      },
    ],
  ])(
    '%s fails with DeadlineExceededError at the deadline, and the connection is closed',
    async (_how, read) => {
      const events: HttpEvent[] = [];
      const api = createClient({
        bufferBody: false,
        totalTimeout: 600,
        onEvent: (e) => events.push(e),
      });
      const before = closed;
      const started = Date.now();
      const response = await api.get(`${base}/trickle`);
      const outcome = await within(5000, read(response));
      expect(isDeadlineExceededError(outcome)).toBe(true);
      expect((outcome as Error).message).toMatch(
        /^Deadline of 600 ms exceeded after \d+ ms while reading the body$/,
      );
      expect(Date.now() - started).toBeLessThan(4000);
      await expect.poll(() => closed).toBeGreaterThan(before);
      expect(events.find((e) => e.type === 'timeout')).toMatchObject({
        scope: 'deadline',
        timeoutMs: 600,
      });
    },
  );

  it('an error answer handed to ky is bounded too: HTTPError arrives, no hang', async () => {
    const api = createClient({ bufferBody: false, totalTimeout: 600, retry: 0 });
    const outcome = await within(5000, api.get(`${base}/fail`));
    expect(outcome).toMatchObject({ name: 'HTTPError' });
  });

  it('the timer lives only while the body is read: none before, none after', async () => {
    const clock = manualClock(Date.now());
    const api = createClient({
      bufferBody: false,
      totalTimeout: 600,
      timeout: false,
      breaker: false,
      clock,
    });
    const response = await api.get(`${base}/short`);
    expect(clock.pendingTimers()).toBe(0);
    expect(await response.text()).toBe('all of it');
    expect(clock.pendingTimers()).toBe(0);
    expect(response.url).toBe(`${base}/short`);
    expect(response.headers.get('content-type')).toBe('text/plain');
  });

  it('a clone (ky’s afterResponse hooks) reads the same bytes, and is bounded too', async () => {
    const seen: string[] = [];
    const api = createClient({
      bufferBody: false,
      totalTimeout: 600,
      hooks: { afterResponse: [async ({ response }) => void seen.push(await response.text())] },
    });
    expect(await api.get(`${base}/short`).text()).toBe('all of it');
    expect(seen).toEqual(['all of it']);
    const trickling = await api.get(`${base}/trickle`).catch((e: unknown) => e);
    expect(isDeadlineExceededError(trickling)).toBe(true);
  });
});
