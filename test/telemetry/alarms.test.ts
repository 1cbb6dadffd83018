import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { circuitBreaker, EventHub, manualClock, retry, retryBudget } from '../../src/core/index.js';
import { alarmText } from '../../src/telemetry/chat-webhook.js';
import { alarmSink, chatWebhook, connect, type TelemetryAlarm } from '../../src/telemetry/index.js';

const event = (type: string, fields: Record<string, unknown> = {}, source = 'http') =>
  ({ type, source, at: 0, ...fields }) as never;

describe('alarmSink: events that need a person become alarms', () => {
  it('relays component alarms and turns breaker openings, spent budgets, advice and timeouts into alarms', () => {
    const clock = manualClock(1_000);
    const alarms: TelemetryAlarm[] = [];
    const sink = alarmSink({ notify: (a) => alarms.push(a), clock });
    sink.handle(
      event('alarm', {
        kind: 'utilization',
        origin: 'https://api.example.com',
        message: 'at 85 %',
        value: 0.85,
      }),
    );
    sink.handle(event('breaker-open', { failureRate: 0.6, retryAfterMs: 30_000 }, 'core'));
    sink.handle(event('rejected', { reason: 'retry-budget', origin: 'https://b.example' }));
    sink.handle(event('rejected', { reason: 'bulkhead-full' }));
    sink.handle(
      event(
        'advice',
        { advice: { msg: 'p95 is 91 % of the budget', functionName: 'orders', share: 0.91 } },
        'serverless',
      ),
    );
    sink.handle(
      event(
        'invocation',
        { outcome: 'timeout', functionName: 'orders', requestId: 'r-9', durationMs: 2_000 },
        'serverless',
      ),
    );
    sink.handle(event('invocation', { outcome: 'success', functionName: 'orders' }, 'serverless'));
    sink.handle(event('retry', { attempt: 1 }));
    const named: TelemetryAlarm[] = [];
    const guarded = alarmSink({ notify: (a) => named.push(a), dependency: 'payments-api' });
    guarded.handle(event('breaker-open', {}, 'core'));
    guarded.handle(event('breaker-open', { origin: 'https://c' }));
    expect(named.map((a) => a.dependency)).toEqual(['payments-api', 'https://c']);
    expect(alarms.map((a) => [a.kind, a.dependency, a.value])).toEqual([
      ['utilization', 'https://api.example.com', 0.85],
      ['breaker-open', 'core', 0.6],
      ['retry-budget', 'https://b.example', undefined],
      ['advice', 'orders', 0.91],
      ['timeout', 'orders', 2_000],
    ]);
    expect(alarms[1]?.message).toBe(
      'Circuit to core opened: 60 % of recent calls failed; next probe in 30 s',
    );
    expect(alarms[4]?.message).toContain('r-9');
    expect(alarms.every((a) => a.at === 1_000 && a.suppressed === 0)).toBe(true);
  });

  it('coalesces repeats of one kind for one dependency within the cooldown and counts them', async () => {
    const clock = manualClock(0);
    const alarms: TelemetryAlarm[] = [];
    const sink = alarmSink({ notify: (a) => alarms.push(a), clock, cooldownMs: 60_000 });
    const open = (origin: string) => sink.handle(event('breaker-open', { origin }));
    open('https://a');
    open('https://b'); // another dependency: its own alarm
    await clock.advance(10_000);
    open('https://a');
    open('https://a');
    sink.handle(event('rejected', { reason: 'retry-budget', origin: 'https://a' })); // another kind
    expect(alarms.map((a) => `${a.kind} ${a.dependency}`)).toEqual([
      'breaker-open https://a',
      'breaker-open https://b',
      'retry-budget https://a',
    ]);
    await clock.advance(50_000); // 60 s after the first
    open('https://a');
    expect(alarms.at(-1)).toMatchObject({ kind: 'breaker-open', at: 60_000, suppressed: 2 });
    expect(alarmText(alarms.at(-1)!).text).toContain('(+2 similar since the last alert)');
  });

  it('is fed by a real breaker and a real retry budget through connect()', async () => {
    const clock = manualClock(0);
    const alarms: TelemetryAlarm[] = [];
    const sink = alarmSink({ notify: (a) => alarms.push(a), clock });
    const breaker = circuitBreaker({
      failureRateThreshold: 0.5,
      minimumRequests: 2,
      windowMs: 10_000,
      resetTimeoutMs: 5_000,
      clock,
    });
    const retrying = retry({
      limit: 3,
      budget: retryBudget({ ratio: 0.1, minPerSecond: 0, clock }),
      clock,
    });
    const dispose = connect(sink, breaker, retrying);
    const fail = () => Promise.reject(new Error('down'));
    for (let i = 0; i < 2; i++) await breaker.execute(fail).catch(() => undefined);
    await retrying.execute(fail).catch(() => undefined);
    expect(alarms.map((a) => a.kind)).toEqual(['breaker-open', 'retry-budget']);
    expect(alarms[0]?.value).toBe(1);
    dispose();
    await retrying.execute(fail).catch(() => undefined);
    expect(alarms).toHaveLength(2);
  });

  it('a notify that throws or rejects goes to onError and never reaches the event source', async () => {
    const errors: [unknown, string][] = [];
    const onError = (error: unknown, alarm: TelemetryAlarm) => errors.push([error, alarm.kind]);
    const hub = new EventHub();
    let calls = 0;
    const sink = alarmSink({
      notify: () => {
        calls++;
        if (calls === 1) throw new Error('sync boom');
        return Promise.reject(new Error('async boom'));
      },
      onError,
      cooldownMs: 0,
    });
    connect(sink, hub);
    expect(() => hub.emit(event('breaker-open', { origin: 'x' }))).not.toThrow();
    hub.emit(event('breaker-open', { origin: 'x' }));
    await sink.flush();
    expect(errors.map(([e, kind]) => [(e as Error).message, kind])).toEqual([
      ['sync boom', 'breaker-open'],
      ['async boom', 'breaker-open'],
    ]);
  });

  it('without onError, a failing notify is reported as a process warning', async () => {
    const warning = vi.fn();
    process.on('warning', warning);
    try {
      const sink = alarmSink({ notify: () => Promise.reject(new Error('chat down')) });
      sink.handle(event('breaker-open'));
      await sink.flush();
      await new Promise((resolve) => setImmediate(resolve));
      expect(warning).toHaveBeenCalledWith(expect.objectContaining({ message: 'chat down' }));
    } finally {
      process.off('warning', warning);
    }
  });

  it.each([
    [{}, TypeError, /`notify`/],
    [{ notify: () => 1, cooldownMs: -1 }, RangeError, /`cooldownMs` to be a finite number ≥ 0/],
    [{ notify: () => 1, cooldownMs: Number.NaN }, RangeError, /`cooldownMs`/],
  ])('rejects bad options: %j', (options, Err, message) => {
    expect(() => alarmSink(options as never)).toThrow(Err);
    expect(() => alarmSink(options as never)).toThrow(message);
  });
});

describe('chatWebhook against a real HTTP server', () => {
  let server: http.Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
    server = undefined;
  });

  async function listen(status: number) {
    const bodies: { headers: http.IncomingHttpHeaders; body: unknown }[] = [];
    server = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (chunk) => {
        raw += chunk;
      });
      req.on('end', () => {
        bodies.push({ headers: req.headers, body: JSON.parse(raw) });
        res.writeHead(status).end('ok');
      });
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}/hooks/T0/B0/secret`, bodies };
  }

  it('posts one { text } line per alarm, redacted, and resolves on 2xx', async () => {
    const { url, bodies } = await listen(200);
    const sink = alarmSink({
      notify: chatWebhook(url, { headers: { 'x-team': 'payments' } }),
      clock: manualClock(Date.UTC(2026, 10, 27, 12)),
    });
    sink.handle(
      event('alarm', {
        kind: 'utilization',
        origin: 'https://api.example.com',
        message: 'api.example.com at 85 % of its quota; token Bearer abc.def.ghi',
      }),
    );
    await sink.flush();
    expect(bodies).toHaveLength(1);
    const text = (bodies[0]?.body as { text?: string } | undefined)?.text ?? '';
    expect(text).toMatch(/^🟡 api\.example\.com at 85 % of its quota/);
    expect(text).toContain('2026-11-27T12:00:00.000Z');
    expect(text).not.toContain('abc.def.ghi');
    expect(bodies[0]?.headers['content-type']).toBe('application/json');
    expect(bodies[0]?.headers['x-team']).toBe('payments');
  });

  it('rejects with the status (not the secret URL) when the webhook refuses', async () => {
    const { url } = await listen(403);
    const notify = chatWebhook(url);
    const alarm: TelemetryAlarm = {
      kind: 'breaker-open',
      dependency: 'x',
      source: 'http',
      message: 'open',
      at: 0,
      suppressed: 0,
    };
    const error = await notify(alarm).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe('Chat webhook answered 403 for a breaker-open alarm');
    expect((error as Error).message).not.toContain('secret');
  });

  it('validates the URL and the timeout', () => {
    expect(() => chatWebhook('ftp://x')).toThrow(TypeError);
    expect(() => chatWebhook('https://x', { timeoutMs: 0 })).toThrow(/`timeoutMs`/);
  });
});
