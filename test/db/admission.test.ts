import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPoolSaturatedError, manualClock, PoolSaturatedError } from '../../src/core/index.js';
import { Admission, type Ticket } from '../../src/db/admission.js';
import type { Priority } from '../../src/db/events.js';

function setup(limit: number, queueLimit = 100) {
  const clock = manualClock();
  const refusals: string[] = [];
  const admission = new Admission(limit, queueLimit, clock, (reason, ticket) => {
    refusals.push(`${reason}:${ticket.seq}`);
    return new PoolSaturatedError({
      reason,
      inUse: admission.active,
      waiting: admission.waiting,
      limit: admission.limit,
      waitedMs: clock.now() - ticket.since,
    });
  });
  let seq = 0;
  const ticket = (priority: Priority = 'normal', timeoutMs = 1_000, signal?: AbortSignal) =>
    ({
      priority,
      seq: ++seq,
      since: clock.now(),
      deadline: clock.now() + timeoutMs,
      signal,
    }) satisfies Ticket;
  return { clock, admission, ticket, refusals };
}

const settle = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('Admission', () => {
  it('admits up to the limit at once, queues the rest in order, and hands slots over on leave', async () => {
    const { admission, ticket } = setup(2);
    expect(admission.tryEnter()).toBe(true);
    expect(admission.tryEnter()).toBe(true);
    expect(admission.tryEnter()).toBe(false);
    const order: number[] = [];
    const waits = [1, 2, 3].map((i) => admission.enter(ticket()).then(() => order.push(i)));
    expect(admission.waiting).toBe(3);
    admission.leave();
    admission.leave();
    await settle();
    expect(order).toEqual([1, 2]);
    expect(admission.active).toBe(2);
    admission.leave();
    await Promise.all(waits);
    expect(order).toEqual([1, 2, 3]);
    expect(admission.waiting).toBe(0);
  });

  it('serves high before normal before background, and a raised limit admits waiters at once', async () => {
    const { admission, ticket } = setup(0);
    const order: string[] = [];
    const waits = (['background', 'normal', 'high', 'normal'] as const).map((p, i) =>
      admission.enter(ticket(p)).then(() => order.push(`${p}${i}`)),
    );
    admission.setLimit(4);
    await Promise.all(waits);
    expect(order).toEqual(['high2', 'normal1', 'normal3', 'background0']);
  });

  it('refuses at the deadline with the figures, and the waiter leaves the queue', async () => {
    const { clock, admission, ticket } = setup(1);
    admission.tryEnter();
    const error = admission.enter(ticket('normal', 250)).catch((e: unknown) => e);
    await clock.advance(249);
    expect(admission.waiting).toBe(1);
    await clock.advance(1);
    const e = await error;
    expect(isPoolSaturatedError(e)).toBe(true);
    expect(e).toMatchObject({ reason: 'timeout', inUse: 1, limit: 1, waitedMs: 250 });
    expect(admission.waiting).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('a full queue sheds its newest background waiter for normal work, and refuses what it cannot place', async () => {
    const { admission, ticket, refusals } = setup(0, 2);
    const bg1 = admission.enter(ticket('background')).catch((e: unknown) => e);
    const bg2 = admission.enter(ticket('background')).catch((e: unknown) => e);
    const normal = admission.enter(ticket('normal'));
    expect(await bg2).toMatchObject({ reason: 'shed' });
    const another = await admission.enter(ticket('background')).catch((e: unknown) => e);
    expect(another).toMatchObject({ reason: 'queue-full' });
    expect(refusals).toEqual(['shed:2', 'queue-full:4']);
    admission.setLimit(2);
    await normal;
    await bg1;
    expect(admission.active).toBe(2);
  });

  it('a caller back from a backoff returns to its place, ahead of later arrivals', async () => {
    const { admission, ticket } = setup(1);
    admission.tryEnter();
    const early = ticket();
    const order: string[] = [];
    const late = admission.enter(ticket()).then(() => order.push('late'));
    void admission.enter(early).then(() => order.push('early'));
    admission.leave();
    await settle();
    expect(order).toEqual(['early']);
    admission.leave();
    await late;
    expect(order).toEqual(['early', 'late']);
  });

  it('an aborted waiter leaves the queue with the signal reason; rejectAll empties it', async () => {
    const { admission, ticket, clock } = setup(0);
    const controller = new AbortController();
    const aborted = admission.enter(ticket('normal', 1_000, controller.signal)).catch((e) => e);
    const other = admission.enter(ticket()).catch((e: unknown) => e);
    controller.abort(new Error('caller gave up'));
    expect(((await aborted) as Error).message).toBe('caller gave up');
    expect(admission.waiting).toBe(1);
    admission.rejectAll(() => new Error('closed'));
    expect(((await other) as Error).message).toBe('closed');
    expect(admission.waiting).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('property: never more than the limit in, every waiter admitted or refused by its deadline', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.array(
          fc.record({
            priority: fc.constantFrom<Priority>('high', 'normal', 'background'),
            holdMs: fc.integer({ min: 1, max: 50 }),
            timeoutMs: fc.integer({ min: 0, max: 120 }),
          }),
          { maxLength: 30 },
        ),
        fc.integer({ min: 0, max: 10 }),
        async (limit, calls, queueLimit) => {
          const { clock, admission, ticket } = setup(limit, queueLimit);
          let peak = 0;
          let admitted = 0;
          let refused = 0;
          const runs = calls.map(async (c) => {
            const t = ticket(c.priority, c.timeoutMs);
            try {
              if (!admission.tryEnter()) await admission.enter(t);
            } catch (error) {
              expect(isPoolSaturatedError(error)).toBe(true);
              if ((error as PoolSaturatedError).reason === 'timeout')
                expect(clock.now()).toBeGreaterThanOrEqual(t.deadline);
              refused++;
              return;
            }
            admitted++;
            peak = Math.max(peak, admission.active);
            await new Promise<void>((r) => clock.setTimer(r, c.holdMs));
            admission.leave();
          });
          await clock.advance(10_000);
          await Promise.all(runs);
          expect(peak).toBeLessThanOrEqual(limit);
          expect(admitted + refused).toBe(calls.length);
          expect(admission.active).toBe(0);
          expect(admission.waiting).toBe(0);
        },
      ),
      { numRuns: 60 },
    );
  });
});
