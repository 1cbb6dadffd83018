import { describe, expect, it, vi } from 'vitest';
import {
  BreakerSettings,
  circuitBreaker,
  isBrokenCircuitError,
  manualClock,
  type SelfhealEvent,
} from '../../src/core/index.js';

const fail = () => Promise.reject(new Error('503'));
const ok = () => Promise.resolve('ok');

describe('circuitBreaker', () => {
  it('opens when the failure rate exceeds the threshold over minimumRequests, then fails fast', async () => {
    const breaker = circuitBreaker({
      clock: manualClock(1_000_000),
      failureRateThreshold: 0.5,
      minimumRequests: 4,
      resetTimeoutMs: 5000,
      probeInterval: false,
    });
    const events: SelfhealEvent[] = [];
    breaker.onEvent((e) => events.push(e));
    await breaker.execute(ok);
    await expect(breaker.execute(fail)).rejects.toThrow('503');
    await expect(breaker.execute(fail)).rejects.toThrow('503');
    expect(breaker.state).toBe('closed'); // 2/3 failed, but fewer than 4 requests
    await expect(breaker.execute(fail)).rejects.toThrow('503');
    expect(breaker.state).toBe('open');
    const calls = vi.fn(ok);
    const error = await breaker.execute(calls).catch((e: unknown) => e);
    expect(calls).not.toHaveBeenCalled();
    expect(isBrokenCircuitError(error)).toBe(true);
    expect(error).toMatchObject({ state: 'open', retryAfterMs: 5000 });
    expect((error as Error).cause).toMatchObject({ message: '503' });
    const open = events.find((e) => e.type === 'breaker-open');
    expect(open).toMatchObject({ failureRate: 0.75, retryAfterMs: 5000, reason: 'failure-rate' });
    expect(events.filter((e) => e.type === 'rejected')).toHaveLength(1);
  });

  it('retryAfterMs counts down to the half-open probe (1 s after a first opening); one probe only; success closes', async () => {
    const clock = manualClock(1_000_000);
    const breaker = circuitBreaker({ clock, minimumRequests: 1, resetTimeoutMs: 5000 });
    const types: string[] = [];
    breaker.onEvent((e) => types.push(e.type));
    await expect(breaker.execute(fail)).rejects.toThrow();
    await clock.advance(400);
    expect(breaker.retryAfterMs).toBe(600);
    expect(breaker.state).toBe('open');
    await clock.advance(600);
    expect(breaker.state).toBe('half-open');
    expect(clock.pendingTimers()).toBe(0); // the clock drives it lazily: no timer
    let release!: (v: string) => void;
    const probe = breaker.execute(() => new Promise<string>((r) => (release = r)));
    const second = await breaker.execute(ok).catch((e: unknown) => e);
    expect(second).toMatchObject({
      name: 'BrokenCircuitError',
      state: 'half-open',
      retryAfterMs: 0,
    });
    release('recovered');
    await expect(probe).resolves.toBe('recovered');
    expect(breaker.state).toBe('closed');
    await expect(breaker.execute(ok)).resolves.toBe('ok');
    expect(types).toEqual(['breaker-open', 'breaker-half-open', 'rejected', 'breaker-closed']);
  });

  it('a failed probe re-opens the circuit for another reset period', async () => {
    const clock = manualClock(1_000_000);
    const breaker = circuitBreaker({ clock, minimumRequests: 1, resetTimeoutMs: 1000 });
    await expect(breaker.execute(fail)).rejects.toThrow();
    await clock.advance(1000);
    await expect(breaker.execute(fail)).rejects.toThrow('503');
    expect(breaker.state).toBe('open');
    expect(breaker.retryAfterMs).toBe(1000);
  });

  it('errors that isFailure rejects do not count', async () => {
    const breaker = circuitBreaker({
      minimumRequests: 1,
      isFailure: (e) => (e as Error).message !== '429',
    });
    for (let i = 0; i < 5; i++)
      await expect(breaker.execute(() => Promise.reject(new Error('429')))).rejects.toThrow();
    expect(breaker.state).toBe('closed');
  });

  it('failures leave the rolling window after windowMs', async () => {
    const clock = manualClock(1_000_000);
    const breaker = circuitBreaker({
      clock,
      failureRateThreshold: 0.5,
      minimumRequests: 4,
      windowMs: 1000,
    });
    await expect(breaker.execute(fail)).rejects.toThrow();
    await expect(breaker.execute(fail)).rejects.toThrow();
    await expect(breaker.execute(fail)).rejects.toThrow();
    expect(breaker.toJSON()).toMatchObject({ requests: 3, failures: 3 });
    await clock.advance(1000);
    await breaker.execute(ok);
    await expect(breaker.execute(fail)).rejects.toThrow();
    await breaker.execute(ok);
    await breaker.execute(ok);
    expect(breaker.toJSON()).toMatchObject({ state: 'closed', requests: 4, failures: 1 });
  });

  it('state survives toJSON() → initialState, for serverless restore', async () => {
    const clock = manualClock(1_000_000);
    const first = circuitBreaker({ clock, minimumRequests: 1, resetTimeoutMs: 10_000 });
    await expect(first.execute(fail)).rejects.toThrow();
    const snapshot = JSON.parse(JSON.stringify(first.toJSON()));
    expect(snapshot).toMatchObject({ state: 'open', requests: 1, failures: 1 });
    first.dispose();
    const restored = circuitBreaker({
      clock,
      minimumRequests: 1,
      resetTimeoutMs: 10_000,
      initialState: snapshot,
    });
    expect(restored.state).toBe('open');
    await expect(restored.execute(ok)).rejects.toMatchObject({ name: 'BrokenCircuitError' });
    restored.dispose();

    const elapsed = circuitBreaker({
      clock,
      resetTimeoutMs: 10_000,
      initialState: { ...snapshot, openedAt: clock.now() - 20_000 },
    });
    expect(elapsed.state).toBe('half-open');
    await expect(elapsed.execute(ok)).resolves.toBe('ok');
    expect(elapsed.state).toBe('closed');

    // Opened 600 ms before the snapshot was restored: the probe comes when the first
    // instance would have sent it, 1 s after the opening.
    const recent = circuitBreaker({
      clock,
      resetTimeoutMs: 10_000,
      initialState: { ...snapshot, openedAt: clock.now() - 600 },
    });
    expect(recent.state).toBe('open');
    expect(recent.retryAfterMs).toBe(400);
    expect(recent.toJSON()).toMatchObject({ openedAt: clock.now() - 600 });
    await clock.advance(400);
    expect(recent.state).toBe('half-open');
  });

  it('validates its options', () => {
    expect(() => circuitBreaker({ failureRateThreshold: 0 })).toThrow(
      /`failureRateThreshold`.*> 0.*≤ 1/,
    );
    expect(() => circuitBreaker({ failureRateThreshold: 1.5 })).toThrow(RangeError);
    expect(() => circuitBreaker({ minimumRequests: 0 })).toThrow(/`minimumRequests`/);
    expect(() => circuitBreaker({ windowMs: Number.NaN })).toThrow(TypeError);
    expect(() => circuitBreaker({ resetTimeoutMs: -1 })).toThrow(/`resetTimeoutMs`/);
    expect(() => circuitBreaker({ initialState: { state: 'ajar' } as never })).toThrow(
      /`initialState.state`/,
    );
    expect(() =>
      circuitBreaker({ initialState: { state: 'open', requests: 1, failures: 2 } }),
    ).toThrow(/`initialState.failures`/);
    expect(() => circuitBreaker({ resetTimeoutMs: 2 ** 31 })).toThrow(
      /`resetTimeoutMs`.*≤ 2147483647/,
    );
    expect(() => circuitBreaker({ consecutiveFailures: 0 })).toThrow(/`consecutiveFailures`.*≥ 1/);
    expect(() => circuitBreaker({ consecutiveFailures: 2.5 })).toThrow(RangeError);
    expect(() => circuitBreaker({ probeInterval: 1000 as never })).toThrow(
      /`probeInterval` to be an options object/,
    );
    expect(() => circuitBreaker({ probeInterval: { minMs: -1 } })).toThrow(/`probeInterval.minMs`/);
    expect(() => circuitBreaker({ probeInterval: { ratio: Number.NaN } })).toThrow(TypeError);
    expect(() => circuitBreaker({ isFailure: 'yes' as never })).toThrow(/`isFailure`.*function/);
  });

  it('settings are validated once, named by their path, and shared by many breakers', () => {
    expect(() => new BreakerSettings({ windowMs: 5 }, 'breaker')).toThrow(
      /`breaker.windowMs` to be an integer ≥ 10/,
    );
    const settings = new BreakerSettings({ minimumRequests: undefined }, 'breaker', {
      minimumRequests: 20,
      resetTimeoutMs: 5000,
    });
    expect(settings).toMatchObject({ minimumRequests: 20, resetTimeoutMs: 5000, windowMs: 10_000 });
    expect(settings.probeInterval).toEqual({ minMs: 1000, ratio: 0.2 });
    expect(Object.isFrozen(settings)).toBe(true);
    const a = circuitBreaker({ settings });
    const b = circuitBreaker({ settings, windowMs: -1 }); // settings win: nothing is validated again
    expect(a.settings).toBe(settings);
    expect(b.settings).toBe(settings);
    expect(a.minimumRequests).toBe(20);
  });
});
