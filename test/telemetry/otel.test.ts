import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { circuitBreaker, constant, pipeline, retry } from '../../src/core/index.js';
import { createClient } from '../../src/http/index.js';
import {
  BREAKER_STATE_VALUE,
  connect,
  createOtelBridge,
  loadOtelBridge,
} from '../../src/telemetry/index.js';
import { startTestServer } from '../http/test-server.js';

interface Point {
  attributes: Record<string, unknown>;
  value: unknown;
}

describe('OpenTelemetry bridge with the SDK in-memory exporters', () => {
  let metricExporter: InMemoryMetricExporter;
  let reader: PeriodicExportingMetricReader;
  let meterProvider: MeterProvider;
  let spanExporter: InMemorySpanExporter;
  let tracerProvider: BasicTracerProvider;

  beforeEach(() => {
    metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    reader = new PeriodicExportingMetricReader({
      exporter: metricExporter,
      exportIntervalMillis: 3_600_000,
    });
    meterProvider = new MeterProvider({ readers: [reader] });
    spanExporter = new InMemorySpanExporter();
    tracerProvider = new BasicTracerProvider({
      spanProcessors: [new SimpleSpanProcessor(spanExporter)],
    });
  });
  afterEach(async () => {
    await meterProvider.shutdown();
    await tracerProvider.shutdown();
  });

  /** Metric name → its data points, after a flush. */
  async function collect(): Promise<Map<string, Point[]>> {
    await reader.forceFlush();
    const out = new Map<string, Point[]>();
    for (const resource of metricExporter.getMetrics()) {
      for (const scope of resource.scopeMetrics) {
        for (const metric of scope.metrics) {
          out.set(metric.descriptor.name, metric.dataPoints as unknown as Point[]);
        }
      }
    }
    return out;
  }

  function bridge() {
    return createOtelBridge({
      meter: meterProvider.getMeter('selfheal-test'),
      tracer: tracerProvider.getTracer('selfheal-test'),
      name: 'payments-api',
    });
  }

  it('counts attempts, failures and retries with their attributes, and records durations', async () => {
    const otel = bridge();
    const policy = pipeline(retry({ limit: 2, backoff: constant(0) }));
    const dispose = connect(otel, policy);
    let calls = 0;
    await policy.execute(() => {
      calls++;
      if (calls < 3) throw new Error('503');
      return 'ok';
    });
    dispose();
    const metrics = await collect();
    const value = (name: string) => metrics.get(name)?.reduce((sum, p) => sum + Number(p.value), 0);
    expect(value('selfheal.attempts')).toBe(3);
    expect(value('selfheal.failures')).toBe(2);
    expect(value('selfheal.retries')).toBe(2);
    expect(metrics.get('selfheal.retries')![0]!.attributes).toEqual({
      'selfheal.name': 'payments-api',
      'selfheal.source': 'retry',
      'selfheal.reason': 'backoff',
    });
    const durations = metrics.get('selfheal.attempt.duration')!;
    const outcomes = durations.map((p) => [
      p.attributes['selfheal.outcome'],
      (p.value as { count: number }).count,
    ]);
    expect(outcomes).toEqual(
      expect.arrayContaining([
        ['failure', 2],
        ['success', 1],
      ]),
    );
  });

  it('counts rejections with their reason and reports breaker state on a gauge', async () => {
    const otel = bridge();
    const breaker = circuitBreaker({
      minimumRequests: 2,
      failureRateThreshold: 0.5,
      resetTimeoutMs: 60_000,
    });
    const dispose = connect(otel, breaker);
    for (let i = 0; i < 2; i++)
      await expect(breaker.execute(() => Promise.reject(new Error('down')))).rejects.toThrow(
        'down',
      );
    await expect(breaker.execute(() => 'never runs')).rejects.toMatchObject({
      name: 'BrokenCircuitError',
    });
    dispose();
    const metrics = await collect();
    const rejections = metrics.get('selfheal.rejections')!;
    expect(rejections).toHaveLength(1);
    expect(rejections[0]).toMatchObject({
      value: 1,
      attributes: {
        'selfheal.name': 'payments-api',
        'selfheal.source': 'circuit-breaker',
        'selfheal.reason': 'circuit-open',
      },
    });
    expect(metrics.get('selfheal.breaker.state')![0]).toMatchObject({
      value: BREAKER_STATE_VALUE.open,
    });
  });

  it('a span per logical operation, with one event per attempt and the outcome', async () => {
    const otel = bridge();
    const traced = otel.traced(pipeline(retry({ limit: 2, backoff: constant(0) })), 'charge card');
    let calls = 0;
    await expect(
      traced.execute(() => {
        calls++;
        if (calls < 2) throw new Error('flaky');
        return 42;
      }),
    ).resolves.toBe(42);
    await expect(
      traced.execute(() => Promise.reject(new RangeError('secret=abc'))),
    ).rejects.toThrow(RangeError);
    const spans = spanExporter.getFinishedSpans();
    expect(spans.map((s) => s.name)).toEqual(['charge card', 'charge card']);
    const [ok, failed] = spans;
    expect(ok!.attributes).toMatchObject({
      'selfheal.name': 'payments-api',
      'selfheal.policy': 'pipeline',
      'selfheal.outcome': 'success',
      'selfheal.attempts': 2,
    });
    expect(ok!.events.map((e) => [e.name, e.attributes?.['selfheal.attempt']])).toEqual([
      ['attempt', 1],
      ['attempt.failed', 1],
      ['attempt', 2],
    ]);
    expect(ok!.status.code).toBe(0);
    expect(failed!.attributes).toMatchObject({
      'selfheal.outcome': 'failure',
      'error.type': 'RangeError',
      'selfheal.attempts': 3,
    });
    expect(failed!.status).toEqual({ code: 2, message: 'RangeError' });
    expect(JSON.stringify(failed!.events)).not.toContain('secret=abc');
  });

  it('traced() forwards events and keeps working without a tracer', async () => {
    const otel = createOtelBridge();
    const policy = pipeline(retry({ limit: 0 }));
    const traced = otel.traced(policy);
    const seen: string[] = [];
    const dispose = traced.onEvent((e) => seen.push(e.type));
    await expect(traced.execute(() => 'x')).resolves.toBe('x');
    dispose();
    expect(seen).toEqual(['attempt', 'success']);
    expect(traced.events).toBe(policy.events);
    expect(() => otel.traced({} as never)).toThrow(/`policy`/);
  });
});

describe('OpenTelemetry bridge with a minimal meter', () => {
  it('works with a meter that has no synchronous gauge (API before 1.9)', () => {
    const added: Array<[string, number, Record<string, unknown> | undefined]> = [];
    const meter = {
      createCounter: (name: string) => ({
        add: (v: number, a?: Record<string, unknown>) => added.push([name, v, a]),
      }),
      createHistogram: () => ({ record: () => {} }),
    };
    const otel = createOtelBridge({ meter, name: 'db' });
    otel.handle({ type: 'breaker-open', source: 'circuit-breaker', at: 0 });
    otel.handle({ type: 'rejected', source: 'bulkhead', at: 0, reason: 'bulkhead-full' } as never);
    expect(added).toEqual([
      [
        'selfheal.rejections',
        1,
        {
          'selfheal.name': 'db',
          'selfheal.source': 'bulkhead',
          'selfheal.reason': 'bulkhead-full',
        },
      ],
    ]);
  });
});

describe('OpenTelemetry bridge with no SDK installed', () => {
  it('traced(client) with the API no-ops: requests go through, nothing is injected', async () => {
    const server = await startTestServer();
    try {
      server.reply('/plain', { status: 503 }, { status: 200, body: '"ok"' });
      const otel = await loadOtelBridge({ name: 'x' });
      const api = otel.traced(
        createClient({ baseUrl: server.url, retry: { backoff: { baseMs: 1 } } }),
      );
      const dispose = connect(otel, api);
      expect(await api.get('plain').json()).toBe('ok');
      dispose();
      expect(server.hitsTo('/plain').map((h) => h.headers.traceparent)).toEqual([
        undefined,
        undefined,
      ]);
    } finally {
      await server.close();
    }
  });

  it('loadOtelBridge() uses the API no-ops: events and spans cost nothing and break nothing', async () => {
    const otel = await loadOtelBridge({ name: 'x' });
    const policy = pipeline(retry({ limit: 1, backoff: constant(0) }));
    const dispose = connect(otel, policy);
    let calls = 0;
    const result = await otel.traced(policy).execute(() => {
      calls++;
      if (calls === 1) throw new Error('once');
      return 'fine';
    });
    dispose();
    expect(result).toBe('fine');
    expect(calls).toBe(2);
  });
});
