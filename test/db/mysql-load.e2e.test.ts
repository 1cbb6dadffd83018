import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardPool } from '../../src/db/index.js';
import { requireService } from '../support/services.js';
import { load, mariaUser, type TestUser, waitFor } from './support.js';

/**
 * The same table on MariaDB: a user `WITH MAX_USER_CONNECTIONS 10`, a mysql2 pool of 20.
 * Unguarded, the pool gets ER_USER_LIMIT_REACHED (1226); behind the guard no caller does.
 */
describe('guardPool on MariaDB: 500 callers, user limit 10, mysql2 connectionLimit 20', () => {
  let user: TestUser;
  beforeAll(async () => {
    await requireService('mariadb');
    user = await mariaUser(10);
  });
  afterAll(() => user?.drop());

  it('unguarded the pool gets 1226; guarded none reach callers and the user never exceeds 10', async () => {
    const bare = mysql.createPool({ ...user.config, connectionLimit: 20 });
    const control = await load(500, 1, () => bare.query('SELECT SLEEP(0.02)'));
    await bare.end();
    expect(control.outcomes.ER_USER_LIMIT_REACHED ?? 0).toBeGreaterThan(0);
    await waitFor(async () => (await user.connections()) === 0);

    const guard = guardPool(mysql.createPool({ ...user.config, connectionLimit: 20 }));
    const sampler = user.sample();
    const guarded = await load(500, 5, () => guard.query('SELECT SLEEP(0.02)'));
    const peak = await sampler.stop();

    expect(guarded.outcomes.ER_USER_LIMIT_REACHED).toBeUndefined();
    expect(guarded.outcomes.ER_CON_COUNT_ERROR).toBeUndefined();
    const kinds = Object.keys(guarded.outcomes).filter((k) => k !== 'ok');
    expect(kinds.every((k) => k === 'PoolSaturatedError:timeout')).toBe(true);
    // The guard never tries an 11th connection, so not even a rejected one shows in the process list.
    expect(peak).toBeLessThanOrEqual(10);
    expect(guard.health()).toMatchObject({
      limit: 10,
      limitedBy: 'server',
      inUse: 0,
      server: { userMax: 10 },
      backpressure: { refusals: 0 },
    });
    const [[rows]] = await Promise.all([guard.query('SELECT 1 AS one')]);
    expect(rows).toEqual([{ one: 1 }]);
    await guard.close();
  }, 60_000);
});
