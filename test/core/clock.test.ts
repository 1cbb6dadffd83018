import { describe, expect, it } from 'vitest';
import { manualClock, sleep } from '../../src/core/index.js';

describe('manualClock', () => {
  it('fires timers in due order only when advanced', async () => {
    const clock = manualClock(1000);
    const fired: string[] = [];
    clock.setTimer(() => fired.push('b'), 20);
    clock.setTimer(() => fired.push('a'), 10);
    const cancel = clock.setTimer(() => fired.push('never'), 15);
    cancel();
    await clock.advance(9);
    expect(fired).toEqual([]);
    await clock.advance(11);
    expect(fired).toEqual(['a', 'b']);
    expect(clock.now()).toBe(1020);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('runs timers scheduled by other timers within the same advance', async () => {
    const clock = manualClock();
    const at: number[] = [];
    clock.setTimer(() => {
      at.push(clock.now());
      clock.setTimer(() => at.push(clock.now()), 5);
    }, 5);
    await clock.advance(10);
    expect(at).toEqual([5, 10]);
  });
});

describe('sleep', () => {
  it('resolves after the delay on the clock', async () => {
    const clock = manualClock();
    let done = false;
    const p = sleep(clock, 100).then(() => {
      done = true;
    });
    await clock.advance(99);
    expect(done).toBe(false);
    await clock.advance(1);
    await p;
    expect(done).toBe(true);
  });

  it('rejects with the abort reason and clears its timer and listener', async () => {
    const clock = manualClock();
    const controller = new AbortController();
    const p = sleep(clock, 100, controller.signal);
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(p).rejects.toBe(reason);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('rejects at once for an already aborted signal', async () => {
    const clock = manualClock();
    await expect(sleep(clock, 100, AbortSignal.abort(new Error('gone')))).rejects.toThrow('gone');
    expect(clock.pendingTimers()).toBe(0);
  });
});
