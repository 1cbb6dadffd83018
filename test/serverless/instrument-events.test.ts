import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { constant, EventHub, pipeline, retry, type SelfhealEvent } from '../../src/core/index.js';
import { type Diagnostic, instrument } from '../../src/serverless/index.js';
import { memorySink } from '../../src/telemetry/index.js';
import { lambdaContext, never, settle } from './helpers.js';

const at = 0;
const ev = (e: Record<string, unknown> & { type: string }) =>
  ({ source: 'pipeline', at, ...e }) as SelfhealEvent;

describe('instrument: selfheal events seen during the invocation', () => {
  it('lists the retries of a pipeline used inside, and unsubscribes afterwards', async () => {
    const sink = memorySink();
    const policy = pipeline(retry({ limit: 2, backoff: constant(0) }));
    const handler = instrument(
      async () =>
        policy.execute(() => {
          throw new Error('upstream 503');
        }),
      { sink, sources: [policy], advice: false },
    );
    await expect(handler({})).rejects.toThrow('upstream 503');
    expect(policy.events.listening).toBe(false);
    const { selfheal } = sink.records<Diagnostic>()[0]!;
    expect(selfheal.counts).toMatchObject({ attempt: 3, failure: 3, retry: 2 });
    const retries = selfheal.events.filter((e) => e.type === 'retry');
    expect(retries).toHaveLength(2);
    expect(retries[0]).toMatchObject({
      source: 'retry',
      attempt: 1,
      delayMs: 0,
      error: { name: 'Error', message: 'upstream 503' },
    });
  });

  it('attributes events to the invocation whose async context emitted them', async () => {
    const hub = new EventHub();
    const sink = memorySink();
    const gates: Array<() => void> = [];
    const handler = instrument(
      async (e: { name: string; type: 'retry' | 'throttled' }) => {
        await new Promise<void>((r) => gates.push(r));
        hub.emit(
          ev(
            e.type === 'retry'
              ? { type: 'retry', attempt: 1, delayMs: 5, reason: 'backoff', error: null }
              : { type: 'throttled', waitMs: 3, rate: 10, rejected: false },
          ),
        );
        throw new Error(e.name);
      },
      { sink, sources: [hub], advice: false },
    );
    const a = handler({ name: 'a', type: 'retry' }).catch(() => undefined);
    const b = handler({ name: 'b', type: 'throttled' }).catch(() => undefined);
    // Emitted outside any invocation (a shared client's own timer): both keep it.
    hub.emit(ev({ type: 'breaker-half-open', source: 'circuit-breaker' }));
    for (const open of gates) open();
    await Promise.all([a, b]);
    const byName = Object.fromEntries(
      sink
        .records<Diagnostic>()
        .map((d) => [(d.event as { name: string }).name, d.selfheal.counts]),
    );
    expect(byName).toEqual({
      a: { 'breaker-half-open': 1, retry: 1 },
      b: { 'breaker-half-open': 1, throttled: 1 },
    });
    expect(hub.listening).toBe(false);
  });

  it('keeps at most maxRecordedEvents events, counting the rest', async () => {
    const hub = new EventHub();
    const sink = memorySink();
    const handler = instrument(
      async () => {
        for (let i = 1; i <= 5; i++) hub.emit(ev({ type: 'attempt', attempt: i }));
        throw new Error('x');
      },
      { sink, sources: [hub], maxRecordedEvents: 2, advice: false },
    );
    await expect(handler({})).rejects.toThrow();
    const { selfheal } = sink.records<Diagnostic>()[0]!;
    expect(selfheal.events).toHaveLength(2);
    expect(selfheal).toMatchObject({ counts: { attempt: 5 }, dropped: 3 });
  });

  it('leaves nothing behind after many invocations: no listener, no timer', async () => {
    vi.useFakeTimers();
    try {
      const hub = new EventHub();
      const handler = instrument(
        async (e: { i: number }, _c, tools) => {
          hub.emit(ev({ type: 'attempt', attempt: 1 }));
          await tools.track('op', Promise.resolve());
          if (e.i % 2) throw new Error('odd');
          return e.i;
        },
        { sink: memorySink(), sources: [hub], timeoutMs: 5000, timeoutMarginMs: 100 },
      );
      for (let i = 0; i < 2000; i++) await handler({ i }).catch(() => undefined);
      expect(hub.listening).toBe(false);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  describe('with fake timers', () => {
    beforeEach(() => {
      vi.useFakeTimers();
    });
    afterEach(() => {
      vi.useRealTimers();
    });

    it('an attempt without success or failure is in flight at the timeout', async () => {
      const hub = new EventHub();
      const sink = memorySink();
      const handler = instrument(
        async () => {
          hub.emit(ev({ type: 'attempt', attempt: 1, at: Date.now() }));
          hub.emit(ev({ type: 'failure', attempt: 1, durationMs: 5, error: new Error('503') }));
          hub.emit(ev({ type: 'attempt', attempt: 2, at: Date.now() + 300 }));
          return never();
        },
        { sink, sources: [hub], advice: false },
      );
      const outcome = settle(handler({}, lambdaContext(2000)));
      await vi.advanceTimersByTimeAsync(1000);
      expect(outcome.result?.ok).toBe(false);
      expect(sink.records<Diagnostic>()[0]!.inFlight).toEqual([
        { label: 'pipeline', via: 'attempt', source: 'pipeline', attempt: 2, runningMs: 700 },
      ]);
      expect(hub.listening).toBe(false);
    });

    it('attempts are matched per connected source: another pipeline finishing does not close one', async () => {
      const slow = new EventHub();
      const fast = new EventHub();
      const sink = memorySink();
      const handler = instrument(
        async () => {
          slow.emit(ev({ type: 'attempt', attempt: 2, at: Date.now() }));
          fast.emit(ev({ type: 'attempt', attempt: 1, at: Date.now() + 10 }));
          fast.emit(ev({ type: 'success', attempt: 1, durationMs: 1, at: Date.now() }));
          return never();
        },
        { sink, sources: [slow, fast], advice: false },
      );
      const outcome = settle(handler({}, lambdaContext(2000)));
      await vi.advanceTimersByTimeAsync(1000);
      expect(outcome.result?.ok).toBe(false);
      expect(sink.records<Diagnostic>()[0]!.inFlight).toEqual([
        { label: 'pipeline', via: 'attempt', source: 'pipeline', attempt: 2, runningMs: 1000 },
      ]);
    });
  });
});
