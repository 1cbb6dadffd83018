/**
 * selfheal/http through the OpenTelemetry bridge, with the real SDK's in-memory exporters,
 * an AsyncLocalStorage context manager, the W3C propagator and real node:http servers:
 * a CLIENT span per attempt under the caller's span, trace context on the wire, the
 * convention's duration histogram, decisions as span events, one series per origin.
 */
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createClient } from '../../src/http/index.js';
import {
  BREAKER_STATE_VALUE,
  connect,
  createOtelBridge,
  type OtelApi,
} from '../../src/telemetry/index.js';
import { startTestServer, type TestServer } from '../http/test-server.js';

interface Point {
  attributes: Record<string, unknown>;
  value: unknown;
}

let a: TestServer;
let b: TestServer;
const contextManager = new AsyncLocalStorageContextManager();
beforeAll(async () => {
  context.setGlobalContextManager(contextManager.enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  a = await startTestServer();
  b = await startTestServer();
});
afterAll(async () => {
  context.disable();
  propagation.disable();
  await a.close();
  await b.close();
});

let metricExporter: InMemoryMetricExporter;
let reader: PeriodicExportingMetricReader;
let meterProvider: MeterProvider;
let spans: InMemorySpanExporter;
let tracerProvider: BasicTracerProvider;
beforeEach(() => {
  metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  reader = new PeriodicExportingMetricReader({
    exporter: metricExporter,
    exportIntervalMillis: 3_600_000,
  });
  meterProvider = new MeterProvider({ readers: [reader] });
  spans = new InMemorySpanExporter();
  tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
});
afterEach(async () => {
  await meterProvider.shutdown();
  await tracerProvider.shutdown();
});

const tracer = () => tracerProvider.getTracer('test');
const bridge = () =>
  createOtelBridge({
    meter: meterProvider.getMeter('selfheal'),
    tracer: tracerProvider.getTracer('selfheal'),
    api: { context, trace, propagation } as unknown as OtelApi,
    name: 'catalog',
  });

async function collect(): Promise<Map<string, Point[]>> {
  await reader.forceFlush();
  const out = new Map<string, Point[]>();
  for (const resource of metricExporter.getMetrics())
    for (const scope of resource.scopeMetrics)
      for (const metric of scope.metrics)
        out.set(metric.descriptor.name, metric.dataPoints as unknown as Point[]);
  return out;
}

const clientSpans = () => spans.getFinishedSpans().filter((s) => s.kind === SpanKind.CLIENT);
const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;

describe('traced(client): the HTTP semantic conventions', () => {
  it('one 503 then 200: two CLIENT spans under the caller’s span, resend count 1 on the second', async () => {
    a.reply('/items', { status: 503 }, { status: 200, body: '[1,2]' });
    const otel = bridge();
    const api = otel.traced(
      createClient({ baseUrl: a.url, retry: { backoff: { baseMs: 5, maxMs: 5, jitter: 'none' } } }),
    );
    const dispose = connect(otel, api);
    const caller = await tracer().startActiveSpan('checkout', async (span) => {
      await expect(api.get('items?page=2&token=s3cret#top').json()).resolves.toEqual([1, 2]);
      span.end();
      return span;
    });
    dispose();
    const [first, second] = clientSpans();
    expect(clientSpans()).toHaveLength(2);
    for (const s of [first!, second!]) {
      expect(s.name).toBe('GET');
      expect(parentOf(s)).toBe(caller.spanContext().spanId);
      expect(s.spanContext().traceId).toBe(caller.spanContext().traceId);
      expect(s.attributes).toMatchObject({
        'http.request.method': 'GET',
        'url.full': `${a.url}/items?page=REDACTED&token=REDACTED`,
        'server.address': '127.0.0.1',
        'server.port': a.port,
      });
    }
    expect(first!.attributes['http.request.resend_count']).toBeUndefined();
    expect(first!.attributes).toMatchObject({
      'http.response.status_code': 503,
      'error.type': '503',
    });
    expect(first!.status).toEqual({ code: 2, message: '503' });
    expect(second!.attributes).toMatchObject({
      'http.request.resend_count': 1,
      'http.response.status_code': 200,
    });
    expect(second!.attributes['error.type']).toBeUndefined();
    expect(
      JSON.stringify(spans.getFinishedSpans().map((s) => [s.name, s.attributes, s.events])),
    ).not.toContain('s3cret');
    // The decision between the two attempts is an event on the caller's span.
    const checkout = spans.getFinishedSpans().find((s) => s.name === 'checkout')!;
    expect(checkout.events.map((e) => [e.name, e.attributes])).toEqual([
      [
        'selfheal.retry',
        {
          'selfheal.attempt': 1,
          'selfheal.delay_ms': 5,
          'selfheal.reason': 'backoff',
          'server.address': '127.0.0.1',
          'server.port': a.port,
        },
      ],
    ]);
  });

  it('traceparent arrives at the server: the caller’s trace, each attempt’s own span', async () => {
    a.reply('/traced', { status: 502 }, { status: 200 });
    const api = bridge().traced(
      createClient({ baseUrl: a.url, retry: { backoff: { baseMs: 1 } } }),
    );
    const caller = await tracer().startActiveSpan('job', async (span) => {
      await api.get('traced');
      span.end();
      return span;
    });
    const sent = a.hitsTo('/traced').map((h) => String(h.headers.traceparent));
    const traceId = caller.spanContext().traceId;
    expect(sent).toEqual(clientSpans().map((s) => `00-${traceId}-${s.spanContext().spanId}-01`));
    expect(new Set(sent).size).toBe(2);
  });

  it('records http.client.request.duration in seconds with the convention’s attributes', async () => {
    a.reply('/timed', { status: 500 }, { status: 200 });
    const api = bridge().traced(
      createClient({ baseUrl: a.url, retry: { backoff: { baseMs: 1 } } }),
    );
    await api.get('timed');
    const points = (await collect()).get('http.client.request.duration')!;
    const byStatus = new Map(points.map((p) => [p.attributes['http.response.status_code'], p]));
    expect(byStatus.get(500)!.attributes).toEqual({
      'http.request.method': 'GET',
      'server.address': '127.0.0.1',
      'server.port': a.port,
      'http.response.status_code': 500,
      'error.type': '500',
    });
    const ok = byStatus.get(200)!.value as { count: number; sum: number };
    expect(ok.count).toBe(1);
    expect(ok.sum).toBeGreaterThan(0);
    expect(ok.sum).toBeLessThan(10);
  });

  it('a network failure is a span with error.type and no status; an open breaker adds no span', async () => {
    a.reply('/down', { reset: 'before-headers' });
    const otel = bridge();
    const api = otel.traced(
      createClient({
        baseUrl: a.url,
        retry: 0,
        breaker: { consecutiveFailures: 1, resetTimeoutMs: 60_000 },
        totalTimeout: false,
      }),
    );
    const dispose = connect(otel, api);
    await tracer().startActiveSpan('caller', async (span) => {
      await api.get('down').catch(() => undefined);
      await expect(api.get('down')).rejects.toMatchObject({ name: 'BrokenCircuitError' });
      span.end();
    });
    dispose();
    expect(clientSpans()).toHaveLength(1);
    expect(clientSpans()[0]!.attributes['http.response.status_code']).toBeUndefined();
    expect(clientSpans()[0]!.attributes['error.type']).toBe('TypeError');
    const caller = spans.getFinishedSpans().find((s) => s.name === 'caller')!;
    expect(caller.events.map((e) => [e.name, e.attributes?.['selfheal.reason']])).toEqual([
      ['selfheal.rejected', 'circuit-open'],
    ]);
  });

  it('two origins are two series: each breaker state and each origin’s retries', async () => {
    a.reply('/x', { status: 500 });
    b.reply('/x', { status: 500 }, { status: 500 }, { status: 200 });
    const otel = bridge();
    const options = {
      retry: { limit: 1, backoff: { baseMs: 1 } },
      breaker: { consecutiveFailures: 2, resetTimeoutMs: 50 },
      totalTimeout: false as const,
    };
    const api = createClient(options);
    const dispose = connect(otel, api);
    await api.get(`${a.url}/x`).catch(() => undefined); // a: two failures → open
    await api.get(`${b.url}/x`).catch(() => undefined); // b: two failures → open
    await new Promise((r) => setTimeout(r, 80));
    await api.get(`${b.url}/x`); // b: the probe succeeds → closed
    dispose();
    const metrics = await collect();
    const states = metrics
      .get('selfheal.breaker.state')!
      .map((p) => [p.attributes['server.port'], p.value])
      .sort();
    expect(states).toEqual(
      [
        [a.port, BREAKER_STATE_VALUE.open],
        [b.port, BREAKER_STATE_VALUE.closed],
      ].sort(),
    );
    for (const p of metrics.get('selfheal.breaker.state')!)
      expect(p.attributes).toMatchObject({
        'selfheal.name': 'catalog',
        'server.address': '127.0.0.1',
      });
    const retries = metrics.get('selfheal.retries')!.map((p) => p.attributes['server.port']);
    expect(new Set(retries)).toEqual(new Set([a.port, b.port]));
  });

  it('traced(api) is the same client state; onAttempt can be passed to createClient directly', async () => {
    a.reply('/same', { status: 200 });
    const otel = bridge();
    const api = createClient({ baseUrl: a.url });
    const traced = otel.traced(api);
    await traced.get('same');
    expect(api.health().origins[a.url]!.counts.requests).toBe(1);
    const direct = createClient({ baseUrl: a.url, onAttempt: otel.onAttempt });
    await direct.get('same');
    expect(clientSpans()).toHaveLength(2);
  });
});
