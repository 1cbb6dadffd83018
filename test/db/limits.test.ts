import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Backpressure } from '../../src/db/backpressure.js';
import { ServerLimits, UtilizationAlarm } from '../../src/db/server-limits.js';

describe('Backpressure (multiplicative decrease, additive recovery)', () => {
  it('cuts to 70 % of the limit in force, never above the connections that work, once per round', () => {
    const b = new Backpressure();
    const round = b.round;
    expect(b.refused(round, 10, 10)).toBe(true);
    expect(b.limit).toBe(7);
    // Refusals of attempts that started before the cut are the same news.
    expect(b.refused(round, 7, 7)).toBe(false);
    expect(b.limit).toBe(7);
    expect(b.refused(b.round, 7, 3)).toBe(true);
    expect(b.limit).toBe(3);
    expect(b.refusals).toBe(3);
  });

  it('never goes below 1, even when nothing works', () => {
    const b = new Backpressure();
    b.refused(b.round, 1, 0);
    expect(b.limit).toBe(1);
  });

  it('adds one connection per `limit` good checkouts, then steps aside at the ceiling', () => {
    const b = new Backpressure();
    b.refused(b.round, 5, 5); // → 3
    const changes: number[] = [];
    for (let i = 0; i < 20; i++) if (b.succeeded(5)) changes.push(b.limit);
    expect(changes).toEqual([4, Number.POSITIVE_INFINITY]);
    expect(b.succeeded(5)).toBe(false);
  });

  it('property: the limit stays an integer ≥ 1 and only a refusal lowers it', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({
              kind: fc.constant('refused' as const),
              inForce: fc.integer({ min: 1, max: 50 }),
              open: fc.integer({ min: 0, max: 50 }),
              stale: fc.boolean(),
            }),
            fc.record({
              kind: fc.constant('ok' as const),
              ceiling: fc.integer({ min: 1, max: 50 }),
            }),
          ),
          { maxLength: 200 },
        ),
        (steps) => {
          const b = new Backpressure();
          for (const step of steps) {
            const before = b.limit;
            if (step.kind === 'refused') {
              b.refused(step.stale ? b.round - 1 : b.round, step.inForce, step.open);
              expect(b.limit).toBeLessThanOrEqual(before);
            } else {
              b.succeeded(step.ceiling);
              expect(b.limit).toBeGreaterThanOrEqual(before);
            }
            if (Number.isFinite(b.limit)) {
              expect(Number.isInteger(b.limit)).toBe(true);
              expect(b.limit).toBeGreaterThanOrEqual(1);
            }
          }
        },
      ),
    );
  });
});

describe('ServerLimits', () => {
  const figures = { serverMax: 97, serverConnections: 30, userMax: 10, userConnections: 9 };

  it('leaves this guard the tighter cap minus what other clients hold', () => {
    const limits = new ServerLimits();
    expect(limits.allowance()).toBeUndefined();
    const learned = limits.learn(figures, 1, 0);
    expect(learned).toMatchObject({ others: 8, allowance: 2, userMax: 10 });
    expect(limits.cap()).toBe(10);
    // The server's cap binds when it is the tighter one.
    limits.learn({ ...figures, serverMax: 40, serverConnections: 39, userMax: null }, 1, 0);
    expect(limits.allowance()).toBe(2);
  });

  it('counts this guard live between reads and names the binding limit', () => {
    const limits = new ServerLimits();
    limits.learn(figures, 1, 0);
    expect(limits.utilization(1)).toMatchObject({ value: 0.9, limit: 10, others: 8, of: 'user' });
    expect(limits.utilization(2)).toMatchObject({ value: 1, connections: 10 });
  });

  it('allowance is at least 1, so a guard can still try and learn from refusals', () => {
    const limits = new ServerLimits();
    limits.learn({ ...figures, userConnections: 15 }, 0, 0);
    expect(limits.allowance()).toBe(1);
  });

  it('property: allowance = max(1, min(userMax − others, serverMax − serverOthers))', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 500 }),
        fc.integer({ min: 0, max: 600 }),
        fc.option(fc.integer({ min: 1, max: 100 }), { nil: null }),
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: 0, max: 50 }),
        (serverMax, serverConnections, userMax, userConnections, ours) => {
          const limits = new ServerLimits();
          limits.learn({ serverMax, serverConnections, userMax, userConnections }, ours, 0);
          const user =
            userMax === null
              ? Number.POSITIVE_INFINITY
              : userMax - Math.max(0, userConnections - ours);
          const server = serverMax - Math.max(0, serverConnections - ours);
          expect(limits.allowance()).toBe(Math.max(1, Math.min(user, server)));
        },
      ),
    );
  });
});

describe('UtilizationAlarm', () => {
  it('fires once per crossing and re-arms under 90 % of the threshold', () => {
    const alarm = new UtilizationAlarm(0.8);
    expect([0.5, 0.8, 0.9, 1, 0.75, 0.85, 0.7, 0.81].map((s) => alarm.check(s))).toEqual([
      false,
      true,
      false,
      false,
      false,
      false,
      false,
      true,
    ]);
  });
});
