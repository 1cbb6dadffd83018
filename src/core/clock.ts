/**
 * Time as an injectable dependency. Only this module touches `Date.now` and
 * `setTimeout`; every policy reads time through a {@link Clock}, so tests can drive
 * it with {@link manualClock} or fake timers instead of sleeping.
 */
import { abortReason } from './signal.js';

/** Cancels a timer started with {@link Clock.setTimer}. Calling it twice is harmless. */
export type CancelTimer = () => void;

/** The time source every policy uses. */
export interface Clock {
  /** Milliseconds since an arbitrary epoch (wall clock for the system clock). */
  now(): number;
  /** Runs `callback` once after `ms` milliseconds; returns its cancel function. */
  setTimer(callback: () => void, ms: number): CancelTimer;
}

/** A source of uniformly distributed numbers in [0, 1). @default Math.random */
export type RandomSource = () => number;

/** The system clock: `Date.now()` and `setTimeout`. */
export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  setTimer(callback: () => void, ms: number): CancelTimer {
    const handle = setTimeout(callback, ms);
    return () => clearTimeout(handle);
  },
});

/** The system random source. */
export const systemRandom: RandomSource = () => Math.random();

/**
 * Resolves after `ms` on `clock`, or rejects with the signal's reason when it aborts
 * first. The timer and the abort listener are both removed when it settles.
 */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  if (ms <= 0 && !signal) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      cancel();
      reject(abortReason(signal!));
    };
    const cancel = clock.setTimer(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A clock that only moves when told to: for tests and simulations. */
export interface ManualClock extends Clock {
  /** Moves time forward by `ms`, firing due timers in order; awaits microtasks between them. */
  advance(ms: number): Promise<void>;
  /** Timers scheduled and not yet fired or cancelled. */
  pendingTimers(): number;
}

/**
 * Creates a {@link ManualClock} starting at `start` (default 0).
 * Timers due at the same instant fire in the order they were set.
 */
export function manualClock(start = 0): ManualClock {
  let now = start;
  let seq = 0;
  const timers = new Map<number, { at: number; callback: () => void }>();
  const flushMicrotasks = async () => {
    for (let i = 0; i < 20; i++) await Promise.resolve();
  };
  return {
    now: () => now,
    setTimer(callback, ms) {
      const id = seq++;
      timers.set(id, { at: now + Math.max(0, ms), callback });
      return () => {
        timers.delete(id);
      };
    },
    pendingTimers: () => timers.size,
    async advance(ms) {
      const target = now + ms;
      await flushMicrotasks();
      for (;;) {
        let nextId = -1;
        let next: { at: number; callback: () => void } | undefined;
        for (const [id, timer] of timers) {
          if (timer.at <= target && (!next || timer.at < next.at)) {
            next = timer;
            nextId = id;
          }
        }
        if (!next) break;
        timers.delete(nextId);
        now = Math.max(now, next.at);
        next.callback();
        await flushMicrotasks();
      }
      now = target;
      await flushMicrotasks();
    },
  };
}
