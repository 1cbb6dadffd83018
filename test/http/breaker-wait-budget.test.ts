/** The retry budget as the retry policy sees it: a wait at an open breaker is free. */
import { describe, expect, it } from 'vitest';
import { BrokenCircuitError, manualClock, RetryBudget } from '../../src/core/index.js';
import { BreakerWaitBudget } from '../../src/http/breaker-wait-budget.js';

describe('BreakerWaitBudget', () => {
  it('spends nothing on a retry decided for a refusal by an open breaker', () => {
    const inner = new RetryBudget({
      ratio: 0,
      minPerSecond: 0.1,
      windowMs: 10_000,
      clock: manualClock(),
    });
    const budget = new BreakerWaitBudget(inner);
    budget.recordRequest();
    expect(inner.counts()).toEqual({ requests: 1, retries: 0 });
    for (let i = 0; i < 5; i++) {
      budget.exempt(new BrokenCircuitError('open', 1000, undefined));
      expect(budget.tryAcquire()).toBe(true);
    }
    expect(inner.remaining()).toBe(1);
    budget.exempt(new Error('503'));
    expect(budget.tryAcquire()).toBe(true); // the one retry the budget allows
    budget.exempt(new Error('503'));
    expect(budget.tryAcquire()).toBe(false);
    expect(budget.remaining()).toBe(0);
    expect(budget.allowed()).toBe(inner.allowed());
  });

  it('an exemption covers one decision only', () => {
    const inner = new RetryBudget({ ratio: 0, minPerSecond: 0, clock: manualClock() });
    const budget = new BreakerWaitBudget(inner);
    budget.exempt(new BrokenCircuitError('open', 1000, undefined));
    expect(budget.tryAcquire()).toBe(true);
    expect(budget.tryAcquire()).toBe(false);
  });
});
