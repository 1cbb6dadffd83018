import { describe, expect, it } from 'vitest';
import { constant, manualClock, pipeline, retry } from '../../src/core/index.js';
import { connect, emfMetrics, emfRecord, memorySink } from '../../src/telemetry/index.js';

describe('emfRecord', () => {
  it('builds the CloudWatch Embedded Metric Format', () => {
    expect(
      emfRecord({
        namespace: 'shop',
        dimensions: { Service: 'orders' },
        metrics: [
          { name: 'Retries', unit: 'Count', value: 2 },
          { name: 'Latency', unit: 'Milliseconds', value: [12, 30] },
        ],
        properties: { requestId: 'r-1' },
        timestamp: 1_700_000_000_000.4,
      }),
    ).toEqual({
      _aws: {
        Timestamp: 1_700_000_000_000,
        CloudWatchMetrics: [
          {
            Namespace: 'shop',
            Dimensions: [['Service']],
            Metrics: [
              { Name: 'Retries', Unit: 'Count' },
              { Name: 'Latency', Unit: 'Milliseconds' },
            ],
          },
        ],
      },
      requestId: 'r-1',
      Service: 'orders',
      Retries: 2,
      Latency: [12, 30],
    });
  });

  it('refuses more than 100 values for one metric', () => {
    expect(() =>
      emfRecord({
        namespace: 'n',
        metrics: [{ name: 'm', value: Array(101).fill(1) }],
        timestamp: 0,
      }),
    ).toThrow(/at most 100 values/);
  });
});

describe('emfMetrics', () => {
  it('counts events and writes them on flush, then resets', async () => {
    const sink = memorySink();
    const metrics = emfMetrics({
      sink,
      clock: manualClock(5000),
      dimensions: { Dependency: 'payments' },
    });
    const policy = pipeline(retry({ limit: 2, backoff: constant(0) }));
    const dispose = connect(metrics, policy);
    let calls = 0;
    await policy.execute(() => {
      calls++;
      if (calls < 3) throw new Error('503');
      return 'ok';
    });
    dispose();
    metrics.flush();
    const [line] = sink.records();
    expect(line).toMatchObject({
      _aws: {
        Timestamp: 5000,
        CloudWatchMetrics: [{ Namespace: 'selfheal', Dimensions: [['Dependency']] }],
      },
      Dependency: 'payments',
      Attempts: 3,
      Failures: 2,
      Retries: 2,
    });
    expect(line!.AttemptDuration).toHaveLength(3);
    metrics.flush();
    expect(sink.lines).toHaveLength(1);
  });

  it('splits more than 100 duration samples over several lines', () => {
    const sink = memorySink();
    const metrics = emfMetrics({ sink, clock: manualClock(0) });
    for (let i = 0; i < 250; i++)
      metrics.handle({ type: 'success', source: 'pipeline', at: 0, durationMs: i } as never);
    metrics.flush();
    const lines = sink.records();
    expect(lines.map((l) => (l.AttemptDuration as number[]).length)).toEqual([100, 100, 50]);
  });

  it('validates the namespace', () => {
    expect(() => emfMetrics({ sink: memorySink(), namespace: '' })).toThrow(/`namespace`/);
  });
});
