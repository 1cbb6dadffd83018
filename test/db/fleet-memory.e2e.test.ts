import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryStore } from '../../src/core/index.js';
import { guardPool } from '../../src/db/index.js';
import { requireService } from '../support/services.js';
import { kindOf, pgUser, sharesWhileAllRan, type TestUser } from './support.js';

/**
 * Four pools of 5 (20 in all) against a role limited to 10, each behind a guard sharing
 * one `globalLimit` of 10 through an in-process Store: the fleet case of the issue's
 * table inside one process. (Across processes the same code runs on redisStore().)
 */
describe('globalLimit: four guarded pools share 10 connections', () => {
  let user: TestUser;
  beforeAll(async () => {
    await requireService('postgresql');
    user = await pgUser(10);
  });
  afterAll(() => user?.drop());

  it('zero connection errors, the role never above 10, and each pool gets a fair share', async () => {
    const store = memoryStore();
    const key = `db:${user.name}`;
    const guards = Array.from({ length: 4 }, (_, i) =>
      guardPool(new pg.Pool({ ...user.config, max: 5 }), {
        name: `worker-${i}`,
        globalLimit: { store, key, max: 10, leaseMs: 2_000, turnMs: 250 },
      }),
    );
    const sampler = user.sample();
    const errors: Record<string, number> = {};
    const start = performance.now();
    const completions = await Promise.all(
      guards.map(async (guard) => {
        const done: number[] = [];
        await Promise.all(
          Array.from({ length: 125 }, async () => {
            for (let i = 0; i < 5; i++) {
              try {
                await guard.query('SELECT pg_sleep(0.02)');
                done.push(performance.now() - start);
              } catch (error) {
                errors[kindOf(error)] = (errors[kindOf(error)] ?? 0) + 1;
              }
            }
          }),
        );
        return done;
      }),
    );
    const peak = await sampler.stop();
    expect(errors).toEqual({});
    expect(completions.map((c) => c.length)).toEqual([625, 625, 625, 625]);
    expect(peak).toBeLessThanOrEqual(10);
    const shares = sharesWhileAllRan(completions);
    for (const share of shares) {
      expect(share, `shares ${shares.map((s) => s.toFixed(2))}`).toBeGreaterThanOrEqual(0.8);
      expect(share, `shares ${shares.map((s) => s.toFixed(2))}`).toBeLessThanOrEqual(1.25);
    }
    for (const guard of guards) expect(guard.health().fleet).toMatchObject({ key, max: 10 });
    await Promise.all(guards.map((g) => g.close()));
    expect(await store.leases.held(key)).toBe(0);
  }, 60_000);
});
