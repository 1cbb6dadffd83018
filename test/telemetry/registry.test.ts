import { describe, expect, it } from 'vitest';
import { EventHub, manualClock, type SelfhealEvent } from '../../src/core/index.js';
import { createRegistry, serviceMap, sharedRegistry } from '../../src/telemetry/index.js';

describe('service-map registry', () => {
  it('snapshots every registered dependency with its health as JSON', () => {
    const clock = manualClock(100);
    const registry = createRegistry({ clock });
    let queue = 0;
    registry.register({
      name: 'payments-api',
      kind: 'http',
      health: () => ({ breaker: 'closed', rate: 50 }),
    });
    registry.register({
      name: 'orders-db',
      kind: 'db',
      health: () => ({ inUse: 3, max: 10, queue }),
    });
    queue = 4;
    const snapshot = registry.snapshot();
    expect(snapshot).toEqual({
      at: 100,
      dependencies: [
        { name: 'payments-api', kind: 'http', since: 100, health: { breaker: 'closed', rate: 50 } },
        { name: 'orders-db', kind: 'db', since: 100, health: { inUse: 3, max: 10, queue: 4 } },
      ],
    });
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
  });

  it('counts the events of a dependency and stops listening when it leaves', () => {
    const registry = createRegistry({ clock: manualClock(0) });
    const hub = new EventHub();
    const leave = registry.register({ name: 'api', kind: 'http', health: () => 'ok', events: hub });
    hub.emit({
      type: 'retry',
      source: 'retry',
      at: 5,
      attempt: 1,
      delayMs: 1,
      reason: 'backoff',
      error: null,
    } as SelfhealEvent);
    hub.emit({
      type: 'retry',
      source: 'retry',
      at: 7,
      attempt: 2,
      delayMs: 1,
      reason: 'backoff',
      error: null,
    } as SelfhealEvent);
    expect(registry.snapshot().dependencies[0]!.events).toEqual({
      counts: { retry: 2 },
      last: { type: 'retry', at: 7 },
    });
    expect(hub.listening).toBe(true);
    leave();
    leave();
    expect(hub.listening).toBe(false);
    expect(registry.size).toBe(0);
    expect(registry.snapshot().dependencies).toEqual([]);
  });

  it('a health function that throws is reported, not propagated; health is redacted', () => {
    const registry = createRegistry();
    registry.register({
      name: 'a',
      kind: 'http',
      health: () => {
        throw new Error('no token=abc123 for you');
      },
    });
    registry.register({
      name: 'b',
      kind: 'http',
      health: () => ({ url: 'https://x.test', apiKey: 'k-1' }),
    });
    const [a, b] = registry.snapshot().dependencies;
    expect(a!.health).toEqual({ error: 'no token=[REDACTED] for you' });
    expect(b!.health).toEqual({ url: 'https://x.test', apiKey: '[REDACTED]' });
  });

  it('validates registrations', () => {
    const registry = createRegistry();
    expect(() => registry.register({ name: '', kind: 'http', health: () => 1 })).toThrow(/`name`/);
    expect(() => registry.register({ name: 'x', kind: 1 as never, health: () => 1 })).toThrow(
      /`kind`/,
    );
    expect(() => registry.register({ name: 'x', kind: 'http', health: 1 as never })).toThrow(
      /`health`/,
    );
    expect(() =>
      registry.register({ name: 'x', kind: 'http', health: () => 1, events: {} as never }),
    ).toThrow(/`events`/);
  });

  it('sharedRegistry is one per process, and only exists when asked for', () => {
    const key = Symbol.for('selfheal.registry');
    const before = (globalThis as Record<symbol, unknown>)[key];
    const shared = sharedRegistry();
    expect(sharedRegistry()).toBe(shared);
    const leave = shared.register({ name: 'x', kind: 'http', health: () => null });
    expect(sharedRegistry().size).toBeGreaterThanOrEqual(1);
    leave();
    if (before === undefined) delete (globalThis as Record<symbol, unknown>)[key];
  });

  it('serviceMap() is the snapshot of the registry given, or of the shared one', () => {
    const clock = manualClock(7);
    const registry = createRegistry({ clock });
    registry.register({ name: 'orders-db', kind: 'db', health: () => ({ inUse: 2 }) });
    expect(serviceMap(registry)).toEqual({
      at: 7,
      dependencies: [{ name: 'orders-db', kind: 'db', since: 7, health: { inUse: 2 } }],
    });
    const key = Symbol.for('selfheal.registry');
    const before = (globalThis as Record<symbol, unknown>)[key];
    const leave = sharedRegistry().register({ name: 'shared-api', kind: 'http', health: () => 1 });
    expect(serviceMap().dependencies.map((d) => d.name)).toContain('shared-api');
    leave();
    expect(serviceMap().dependencies.map((d) => d.name)).not.toContain('shared-api');
    if (before === undefined) delete (globalThis as Record<symbol, unknown>)[key];
  });
});
