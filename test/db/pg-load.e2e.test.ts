import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPoolSaturatedError } from '../../src/core/index.js';
import { guardPool } from '../../src/db/index.js';
import { requireService } from '../support/services.js';
import { load, pgUser, type TestUser, waitFor } from './support.js';

/**
 * The table, guarded: 500 callers × 5 `pg_sleep(0.02)` against a role limited to
 * 10 connections, with a pool sized 20 (as configs drift). Unguarded, the pool produces
 * "too many connections for role" (53300); behind the guard no caller sees one.
 */
describe('guardPool on PostgreSQL: 500 callers, role limit 10, pg.Pool max 20', () => {
  let user: TestUser;
  beforeAll(async () => {
    await requireService('postgresql');
    user = await pgUser(10);
  });
  afterAll(() => user?.drop());

  it('unguarded the pool gets 53300; guarded none reach callers, the role never exceeds 10, every call ends in time', async () => {
    // Control: the same pool and callers, no guard (one query each is enough to see 53300).
    const bare = new pg.Pool({ ...user.config, max: 20 });
    bare.on('error', () => undefined);
    const control = await load(500, 1, () => bare.query('SELECT pg_sleep(0.02)'));
    await bare.end();
    expect(control.outcomes['53300'] ?? 0).toBeGreaterThan(0);
    await waitFor(async () => (await user.connections()) === 0);

    const guard = guardPool(new pg.Pool({ ...user.config, max: 20 }), { acquireTimeoutMs: 10_000 });
    const types = new Map<string, number>();
    guard.onEvent((e) => types.set(e.type, (types.get(e.type) ?? 0) + 1));
    const late: number[] = [];
    const sampler = user.sample();
    const guarded = await load(
      500,
      5,
      () => guard.query('SELECT pg_sleep(0.02)'),
      (error) => {
        // A caller that gets no connection learns it at its deadline, not later.
        if (isPoolSaturatedError(error) && error.reason === 'timeout') late.push(error.waitedMs);
      },
    );
    const peak = await sampler.stop();

    expect(guarded.outcomes['53300']).toBeUndefined();
    const kinds = Object.keys(guarded.outcomes).filter((k) => k !== 'ok');
    expect(kinds.every((k) => k === 'PoolSaturatedError:timeout')).toBe(true);
    expect((guarded.outcomes.ok ?? 0) + (guarded.outcomes['PoolSaturatedError:timeout'] ?? 0)).toBe(
      2500,
    );
    for (const waited of late) expect(waited).toBeGreaterThanOrEqual(10_000);
    expect(peak).toBeLessThanOrEqual(10);
    expect(peak).toBeGreaterThanOrEqual(8);
    const health = guard.health();
    expect(health).toMatchObject({ limit: 10, limitedBy: 'server', inUse: 0, waiting: 0 });
    expect(health.server).toMatchObject({ userMax: 10, others: 0, allowance: 10 });
    expect(types.get('limit-learned')).toBeGreaterThanOrEqual(1);
    expect(types.get('queued')).toBeGreaterThan(0);
    await guard.close();
  }, 60_000);
});
