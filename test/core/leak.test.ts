import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import {
  bulkhead,
  type Clock,
  circuitBreaker,
  constant,
  pipeline,
  retry,
  systemClock,
  timeout,
} from '../../src/core/index.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** The system clock, counting timers that are set and never fired nor cancelled. */
function countingClock() {
  let pending = 0;
  let skewMs = 0;
  const clock: Clock = {
    now: () => systemClock.now() + skewMs,
    setTimer(callback, ms) {
      pending++;
      let live = true;
      const cancel = systemClock.setTimer(() => {
        live = false;
        pending--;
        callback();
      }, ms);
      return () => {
        if (live) {
          live = false;
          pending--;
          cancel();
        }
      };
    },
  };
  return {
    clock,
    pending: () => pending,
    /** Moves this clock's time forward without waiting. */
    skip: (ms: number) => {
      skewMs += ms;
    },
  };
}

/** Wraps a signal's add/removeEventListener to count live abort listeners. */
function countListeners(signal: AbortSignal) {
  let live = 0;
  const add = signal.addEventListener.bind(signal);
  const remove = signal.removeEventListener.bind(signal);
  const seen = new Set<unknown>();
  signal.addEventListener = ((type: string, fn: EventListener, opts?: AddEventListenerOptions) => {
    if (type === 'abort' && !seen.has(fn)) {
      seen.add(fn);
      live++;
    }
    add(type, fn, opts);
  }) as typeof signal.addEventListener;
  signal.removeEventListener = ((type: string, fn: EventListener) => {
    if (type === 'abort' && seen.delete(fn)) live--;
    remove(type, fn);
  }) as typeof signal.removeEventListener;
  return () => live;
}

describe('leaks', () => {
  it('10⁵ calls through retry+breaker+timeout+bulkhead leave no timers, no listeners, no growing heap', async () => {
    const { clock, pending, skip } = countingClock();
    const policy = pipeline(
      retry({ limit: 2, backoff: constant(0), clock }),
      circuitBreaker({ clock, windowMs: 1000, minimumRequests: 1000, failureRateThreshold: 0.9 }),
      timeout(5000, { clock }),
      bulkhead({ maxConcurrent: 64, queueLimit: 1000 }),
    );
    const controller = new AbortController();
    const liveListeners = countListeners(controller.signal);
    let n = 0;
    // Every 10th call fails once and is retried: the failure paths run too.
    const op = ({ attempt }: { attempt: number }) =>
      attempt === 1 && ++n % 10 === 0 ? Promise.reject(new Error('transient')) : Promise.resolve(n);
    const batch = async (calls: number) => {
      for (let i = 0; i < calls; i += 100) {
        await Promise.all(
          Array.from({ length: 100 }, () => policy.execute(op, { signal: controller.signal })),
        );
      }
    };

    await batch(10_000);
    gc();
    const before = process.memoryUsage().heapUsed;
    await batch(100_000);
    // Move past the breaker's 1 s window: every bucket of it rotates once.
    skip(1100);
    await policy.execute(op, { signal: controller.signal });
    gc();
    const after = process.memoryUsage().heapUsed;

    expect(pending()).toBe(0);
    expect(liveListeners()).toBe(0);
    expect(after - before).toBeLessThan(2 * 1024 * 1024);
  });
});
