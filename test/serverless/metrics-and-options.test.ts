import { describe, expect, it } from 'vitest';
import { EventHub, type SelfhealEvent } from '../../src/core/index.js';
import { instrument } from '../../src/serverless/index.js';
import { memorySink } from '../../src/telemetry/index.js';
import { lambdaContext } from './helpers.js';

describe('instrument: EMF metrics', () => {
  it('writes one EMF line per invocation with outcome, duration and selfheal counts', async () => {
    const sink = memorySink();
    const hub = new EventHub();
    const handler = instrument(
      async (e: { fail: boolean }) => {
        hub.emit({
          type: 'retry',
          source: 'retry',
          at: 0,
          attempt: 1,
          delayMs: 1,
          reason: 'backoff',
          error: null,
        } as SelfhealEvent);
        if (e.fail) throw new Error('x');
        return 1;
      },
      { sink, sources: [hub], metrics: { dimensions: { Stage: 'prod' } }, advice: false },
    );
    await handler({ fail: false }, lambdaContext(5000));
    await expect(handler({ fail: true }, lambdaContext(5000))).rejects.toThrow('x');
    const emf = sink.records().filter((r) => '_aws' in r);
    expect(emf).toHaveLength(2);
    expect(emf[0]).toMatchObject({
      _aws: {
        CloudWatchMetrics: [
          {
            Namespace: 'selfheal/serverless',
            Dimensions: [['FunctionName', 'Stage']],
            Metrics: expect.arrayContaining([
              { Name: 'Duration', Unit: 'Milliseconds' },
              { Name: 'Invocations', Unit: 'Count' },
            ]),
          },
        ],
      },
      FunctionName: 'orders-handler',
      Stage: 'prod',
      requestId: 'req-1',
      Invocations: 1,
      Errors: 0,
      Timeouts: 0,
      ColdStarts: 1,
      Retries: 1,
    });
    expect(emf[1]).toMatchObject({ Errors: 1, ColdStarts: 0, Retries: 1 });
    expect(typeof emf[0]!.Duration).toBe('number');
  });

  it('writes no metrics by default', async () => {
    const sink = memorySink();
    await instrument(async () => 1, { sink })({});
    expect(sink.lines).toEqual([]);
  });
});

describe('instrument: options are validated when wrapping', () => {
  const sink = memorySink();
  it.each([
    [{ timeoutMs: 0 }, RangeError, /`timeoutMs`/],
    [{ timeoutMs: 'x' }, TypeError, /`timeoutMs`/],
    [{ timeoutMarginMs: -1 }, RangeError, /`timeoutMarginMs` to be a finite number ≥ 0/],
    [
      { timeoutMs: 800, timeoutMarginMs: 1000 },
      RangeError,
      /`timeoutMarginMs` to be less than `timeoutMs` \(800\), got 1000/,
    ],
    [{ timeoutMs: 500, timeoutMarginMs: 500 }, RangeError, /less than `timeoutMs`/],
    [{ sources: [{}] }, TypeError, /`sources\[0\]`/],
    [{ sources: 'x' }, TypeError, /`sources`/],
    [{ onTimeout: 3 }, TypeError, /`onTimeout`/],
    [{ onDiagnostic: 'x' }, TypeError, /`onDiagnostic`/],
    [{ sink: 1 }, TypeError, /`sink`/],
    [{ logLevel: 'loud' }, TypeError, /`logLevel` to be one of 'debug', 'info', 'warn', 'error'/],
    [{ maxEventBytes: 10 }, RangeError, /`maxEventBytes`/],
    [
      { advice: { threshold: 1.5 } },
      RangeError,
      /`advice.threshold` to be a finite number > 0 ≤ 1/,
    ],
    [{ advice: { window: 10, minSamples: 20 } }, RangeError, /`advice.minSamples`/],
    [{ metrics: { namespace: '' } }, TypeError, /`metrics.namespace`/],
    [{ redact: { maxDepth: 0 } }, RangeError, /`redact.maxDepth`/],
  ])('%j throws', (options, Err, message) => {
    expect(() => instrument(async () => 1, { sink, ...(options as object) })).toThrow(Err);
    expect(() => instrument(async () => 1, { sink, ...(options as object) })).toThrow(message);
  });

  it('rejects a handler that is not a function', () => {
    expect(() => instrument('x' as never)).toThrow(/`handler`/);
  });
});
