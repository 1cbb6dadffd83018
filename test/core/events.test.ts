import { describe, expect, it, vi } from 'vitest';
import { EventHub, type SelfhealEvent } from '../../src/core/index.js';

const retryEvent = (attempt: number): SelfhealEvent => ({
  type: 'retry',
  source: 'retry',
  at: 0,
  attempt,
  delayMs: 10,
  reason: 'backoff',
  error: new Error('x'),
});

describe('EventHub', () => {
  it('is listening only while a listener or a listening forward target exists', () => {
    const inner = new EventHub();
    const outer = new EventHub();
    expect(inner.listening).toBe(false);
    const unforward = inner.forwardTo(outer);
    expect(inner.listening).toBe(false);
    const dispose = outer.onEvent(() => {});
    expect(inner.listening).toBe(true);
    dispose();
    expect(inner.listening).toBe(false);
    outer.onEvent(() => {});
    unforward();
    expect(inner.listening).toBe(false);
  });

  it('delivers typed per-kind subscriptions and forwards to targets', () => {
    const inner = new EventHub();
    const outer = new EventHub();
    inner.forwardTo(outer);
    const retries: number[] = [];
    const all: string[] = [];
    outer.on('retry', (e) => retries.push(e.attempt));
    outer.onEvent((e) => all.push(e.type));
    inner.emit(retryEvent(2));
    inner.emit({ type: 'breaker-closed', source: 'circuit-breaker', at: 0 });
    expect(retries).toEqual([2]);
    expect(all).toEqual(['retry', 'breaker-closed']);
  });

  it('a disposer is idempotent', () => {
    const hub = new EventHub();
    const listener = vi.fn();
    const dispose = hub.onEvent(listener);
    dispose();
    dispose();
    hub.emit(retryEvent(1));
    expect(listener).not.toHaveBeenCalled();
  });

  it('a throwing listener is reported, and later listeners still run', () => {
    const reported: unknown[] = [];
    const hub = new EventHub((e) => reported.push(e));
    const bug = new Error('listener bug');
    const after = vi.fn();
    hub.onEvent(() => {
      throw bug;
    });
    hub.onEvent(after);
    hub.emit(retryEvent(1));
    expect(reported).toEqual([bug]);
    expect(after).toHaveBeenCalledOnce();
  });
});

describe('EventHub default error report', () => {
  it('turns a throwing listener into a process warning in Node, not a crash', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const hub = new EventHub();
      hub.onEvent(() => {
        throw new Error('listener bug');
      });
      hub.emit(retryEvent(1));
      await new Promise((r) => setImmediate(r));
      expect(warnings.map((w) => w.message)).toContain('listener bug');
    } finally {
      process.off('warning', onWarning);
    }
  });
});
