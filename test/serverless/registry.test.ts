import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { instrument } from '../../src/serverless/index.js';
import {
  alarmSink,
  connect,
  createRegistry,
  memorySink,
  serviceMap,
  type TelemetryAlarm,
} from '../../src/telemetry/index.js';
import { lambdaContext, never } from './helpers.js';

describe('instrument: the service map and alarms', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    expect(vi.getTimerCount()).toBe(0);
    vi.useRealTimers();
  });

  it('joins the registry it is given and reports its invocations as health', async () => {
    const registry = createRegistry();
    const sink = memorySink();
    let mode: 'ok' | 'throw' | 'hang' = 'ok';
    const handler = instrument(
      async () => {
        if (mode === 'throw') throw new Error('boom');
        if (mode === 'hang') return never();
        return 'done';
      },
      { name: 'orders', registry, sink, timeoutMarginMs: 500, advice: { minSamples: 1 } },
    );
    expect(serviceMap(registry).dependencies).toMatchObject([
      { name: 'orders', kind: 'serverless', health: { invocations: 0 } },
    ]);

    await handler({}, lambdaContext(3000));
    mode = 'throw';
    await expect(handler({}, lambdaContext(3000))).rejects.toThrow('boom');
    mode = 'hang';
    const late = handler({}, lambdaContext(3000)).catch((e: Error) => e.name);
    await vi.advanceTimersByTimeAsync(2500);
    expect(await late).toBe('DeadlineExceededError');

    const [orders] = serviceMap(registry).dependencies;
    expect(orders?.health).toMatchObject({
      invocations: 3,
      outcomes: { success: 1, error: 1, timeout: 1 },
      coldStarts: 1,
      lastDurationMs: 2500,
      maxDurationMs: 2500,
      // A timeout counts as using the whole 3 s budget in the advice window.
      p95Ms: 3000,
    });
    expect(orders?.health).toEqual(handler.health());
    expect(orders?.events?.counts).toMatchObject({ invocation: 3, diagnostic: 2 });
  });

  it('a timed-out invocation raises one alarm for a person, named after the function in its context', async () => {
    const alarms: TelemetryAlarm[] = [];
    const handler = instrument(async () => never(), {
      name: 'checkout',
      sink: memorySink(),
      advice: false,
    });
    connect(alarmSink({ notify: (a) => alarms.push(a) }), handler.events);
    const outcome = handler({ id: 1 }, lambdaContext(2000)).catch(() => 'timed out');
    await vi.advanceTimersByTimeAsync(1000);
    expect(await outcome).toBe('timed out');
    expect(alarms).toMatchObject([
      { kind: 'timeout', dependency: 'orders-handler', source: 'serverless' },
    ]);
    expect(alarms[0]?.message).toContain('req-1');
  });

  it('rejects a registry that is not one', () => {
    expect(() => instrument(async () => 1, { registry: {} as never })).toThrow(/`registry`/);
  });
});
