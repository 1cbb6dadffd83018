/**
 * The engine remembers each origin's timeout and deadline policies for the client's own
 * limits, and only those the origin keeps itself; other limits go to the origin each time.
 */
import { describe, expect, it } from 'vitest';
import { EventHub, timeout } from '../../src/core/index.js';
import { Engine } from '../../src/http/engine.js';
import type { OriginState } from '../../src/http/origin-state.js';
import { resolveOptions } from '../../src/http/resolve-options.js';

function fakeState(keeps: boolean) {
  const kept = new Map<string, ReturnType<typeof timeout>>();
  let lookups = 0;
  const state = {
    timeoutPolicy(ms: number, _scope: 'attempt' | 'deadline') {
      lookups++;
      if (!keeps) return timeout(ms);
      const key = `${_scope}:${ms}`;
      if (!kept.has(key)) kept.set(key, timeout(ms));
      return kept.get(key)!;
    },
  } as unknown as OriginState;
  return { state, lookups: () => lookups };
}

describe('engine timeout policies', () => {
  it('the client limits are looked up once per origin and scope', () => {
    const engine = new Engine(
      resolveOptions({ timeout: 1000, totalTimeout: 5000 }),
      new EventHub(),
    );
    const { state, lookups } = fakeState(true);
    const attempt = engine.timeoutPolicy(state, 1000, 'attempt');
    const total = engine.timeoutPolicy(state, 5000, 'deadline');
    const before = lookups();
    for (let i = 0; i < 5; i++) {
      expect(engine.timeoutPolicy(state, 1000, 'attempt')).toBe(attempt);
      expect(engine.timeoutPolicy(state, 5000, 'deadline')).toBe(total);
    }
    expect(lookups()).toBe(before);
    expect(attempt).not.toBe(total);
  });

  it('a per-request limit, or a policy the origin does not keep, is asked for every time', () => {
    const engine = new Engine(resolveOptions({ timeout: 1000 }), new EventHub());
    const keeping = fakeState(true);
    engine.timeoutPolicy(keeping.state, 250, 'attempt');
    const before = keeping.lookups();
    expect(engine.timeoutPolicy(keeping.state, 250, 'attempt').ms).toBe(250);
    expect(keeping.lookups()).toBe(before + 1);
    const fresh = fakeState(false);
    const first = engine.timeoutPolicy(fresh.state, 1000, 'attempt');
    expect(engine.timeoutPolicy(fresh.state, 1000, 'attempt')).not.toBe(first);
  });
});
