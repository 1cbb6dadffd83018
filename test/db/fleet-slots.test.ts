import { describe, expect, it } from 'vitest';
import { manualClock, memoryStore } from '../../src/core/index.js';
import { FleetSlots, type Slot } from '../../src/db/fleet-slots.js';

function setup(max = 2, turnMs = 1_000) {
  const clock = manualClock();
  const store = memoryStore({ clock });
  const closed: Slot[] = [];
  const slots = (random = () => 0.5) =>
    new FleetSlots(
      { store, key: 'db:orders', max, leaseMs: 3_000, turnMs },
      clock,
      random,
      async (slot) => {
        closed.push(slot);
      },
    );
  return { clock, store, slots, closed };
}

describe('FleetSlots', () => {
  it('backs each connection with one slot; a released checkout keeps it as spare for the next (no store call)', async () => {
    const { store, slots } = setup();
    const a = slots();
    const s1 = (await a.take(0, undefined))!;
    expect(await store.leases.held('db:orders')).toBe(1);
    expect(a.give(s1, true, false)).toBe(false);
    expect(a.spare).toBe(1);
    expect(await a.take(0, undefined)).toBe(s1);
    expect(await store.leases.held('db:orders')).toBe(1);
  });

  it('never holds more than max across processes; a waiter gets the slot another hands back', async () => {
    const { clock, store, slots } = setup(2);
    const [a, b] = [slots(), slots()];
    const held = [(await a.take(0, undefined))!, (await a.take(0, undefined))!];
    expect(await b.take(clock.now(), undefined)).toBeUndefined();
    const waiting = b.take(clock.now() + 500, undefined);
    await clock.advance(10);
    // A broken connection with nobody waiting here: the slot goes back once it has ended.
    expect(a.give(held[0]!, false, false)).toBe(true);
    let end!: () => void;
    a.retire(held[0]!, new Promise<void>((r) => (end = r)));
    await clock.advance(10);
    expect(await store.leases.held('db:orders')).toBe(2);
    end();
    const got = await waiting;
    expect(got).toBeDefined();
    expect(await store.leases.held('db:orders')).toBe(2);
    expect(a.held + b.held).toBe(2);
  });

  it('while others wait, slots above the share (max ÷ processes) go back after their turn; the share stays', async () => {
    const { clock, slots, closed } = setup(2, 1_000);
    const a = slots();
    const b = slots();
    const busy = (await a.take(0, undefined))!;
    const idle = (await a.take(0, undefined))!;
    a.give(idle, true, false);
    // b waits: it leaves a mark, a reads it at its next tick.
    const waiting = b.take(clock.now() + 5_000, undefined);
    await clock.advance(1_000);
    expect(a.contended).toBe(true);
    // Turns end between 0.5 and 1.5 × turnMs (random 0.5 → exactly turnMs).
    expect(closed).toEqual([idle]);
    expect(await waiting).toBeDefined();
    expect(a.members).toBe(2);
    // a is down to its share (2 ÷ 2 processes): its last slot stays, turn over or not.
    await clock.advance(2_000);
    expect(a.give(busy, true, true)).toBe(false);
  });

  it('hands slots over when it holds more than its share, and only then', async () => {
    const { clock, slots, closed } = setup(4, 1_000);
    const [a, b] = [slots(), slots()];
    const mine = [];
    for (let i = 0; i < 3; i++) mine.push((await a.take(0, undefined))!);
    const theirs = (await b.take(0, undefined))!;
    // b wants one more: a (3 > 4 ÷ 2) turns one over, b (1) never would.
    const waiting = b.take(clock.now() + 5_000, undefined);
    await clock.advance(1_500);
    expect(b.give(theirs, true, true)).toBe(false);
    // Both have callers waiting locally: only the one above its share turns a slot over.
    expect(a.give(mine[0]!, true, true)).toBe(true);
    a.retire(mine[0]!, undefined);
    expect(await waiting).toBeDefined();
    expect(a.give(mine[1]!, true, true)).toBe(false);
    expect([a.held, b.held]).toEqual([2, 2]);
    // b wants more again (its spare first, then a new one): a's idle slot goes back at its
    // next tick, and a slot a releases with nobody waiting here goes back at once.
    const more = [b.take(clock.now() + 5_000, undefined), b.take(clock.now() + 5_000, undefined)];
    await clock.advance(1_000);
    expect(closed).toContain(mine[1]);
    expect(await Promise.all(more)).toHaveLength(2);
    const last = b.take(clock.now() + 5_000, undefined);
    await clock.advance(1_000);
    expect(a.give(mine[2]!, true, false)).toBe(true);
    a.retire(mine[2]!, undefined);
    expect(await last).toBeDefined();
    expect([a.held, b.held]).toEqual([0, 4]);
  });

  it('keeps its slots while nobody else waits, and refreshes them so they do not expire', async () => {
    const { clock, store, slots } = setup(2, 1_000);
    const a = slots();
    const s = (await a.take(0, undefined))!;
    await clock.advance(10_000);
    expect(a.contended).toBe(false);
    expect(await store.leases.held('db:orders')).toBe(1);
    expect(a.give(s, true, false)).toBe(false);
    await a.close();
    expect(await store.leases.held('db:orders')).toBe(0);
  });

  it('a slot the store reports lost (it expired while the process stalled) goes back, its connection closed', async () => {
    const { clock, store, closed } = setup(2);
    // The store answers every refresh "expired, and taken by another holder".
    const lossy = {
      ...store,
      leases: {
        ...store.leases,
        acquire: async (key: string, o: Parameters<typeof store.leases.acquire>[1]) => {
          const lease = await store.leases.acquire(key, o);
          return lease && { ...lease, refresh: async () => false };
        },
      },
    };
    const a = new FleetSlots(
      { store: lossy, key: 'db:orders', max: 2, leaseMs: 3_000, turnMs: 1_000 },
      clock,
      () => 0.5,
      async (slot) => {
        closed.push(slot);
      },
    );
    const inUse = (await a.take(0, undefined))!;
    const idle = (await a.take(0, undefined))!;
    a.give(idle, true, false);
    await clock.advance(1_000);
    expect(closed).toEqual([idle]);
    expect(inUse.lost).toBe(true);
    expect(a.give(inUse, true, true)).toBe(true);
  });
});
