import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardPool } from '../../src/db/index.js';
import { requireService } from '../support/services.js';
import { load, pgUser, type TestUser, waitFor } from './support.js';

/**
 * PostgreSQL ends every connection of the role mid-load (`pg_terminate_backend`, as a
 * failover or an operator does). Callers whose query was running get the driver's own
 * error (57P01 or a lost connection); the rest go on, on fresh connections; afterwards
 * the pool is back to what it was and nothing is checked out.
 */
describe('guardPool when PostgreSQL terminates the connections mid-load', () => {
  let user: TestUser;
  beforeAll(async () => {
    await requireService('postgresql');
    user = await pgUser(10);
  });
  afterAll(() => user?.drop());

  it('gives typed errors or success after recovery; counts return to baseline; nothing leaks', async () => {
    const pool = new pg.Pool({ ...user.config, max: 20 });
    const guard = guardPool(pool);
    await guard.query('SELECT 1');
    let terminatedAt = Number.POSITIVE_INFINITY;
    let okAfter = 0;
    const admin = new pg.Client({ host: '127.0.0.1', user: 'postgres', database: 'test' });
    await admin.connect();
    const terminate = (async () => {
      await new Promise((r) => setTimeout(r, 400));
      terminatedAt = performance.now();
      const { rows } = await admin.query(
        'SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE usename = $1',
        [user.name],
      );
      return rows[0].n as number;
    })();
    // Queries, and transactions that hold their client idle across a pause: a connection
    // ended while checked out must not crash the process (pg emits 'error' on it).
    const [queries, holders] = await Promise.all([
      load(60, 25, async () => {
        await guard.query('SELECT pg_sleep(0.01)');
        if (performance.now() > terminatedAt + 50) okAfter++;
      }),
      load(3, 3, () =>
        guard.with({ priority: 'high' }).withConnection(async (client) => {
          await client.query('BEGIN');
          await new Promise((r) => setTimeout(r, 300));
          await client.query('COMMIT');
        }),
      ),
    ]);
    const terminated = await terminate;
    await admin.end();

    expect(terminated).toBeGreaterThan(0);
    const failures = { ...queries.outcomes, ...holders.outcomes };
    const allowed =
      /^(ok|57P01|BrokenCircuitError|Connection terminated.*|Client has encountered a connection error and is not queryable)$/;
    for (const kind of Object.keys(queries.outcomes).concat(Object.keys(holders.outcomes)))
      expect(kind, JSON.stringify(failures)).toMatch(allowed);
    expect(Object.keys(failures).some((k) => k !== 'ok')).toBe(true);
    // The transactions paused at the termination lost their connection while checked out.
    expect(holders.outcomes.ok ?? 0).toBeLessThan(9);
    expect(okAfter).toBeGreaterThan(0);

    // Back to baseline: nothing checked out, nothing waiting, the guard's count is the pool's
    // and the server's.
    await waitFor(() => pool.totalCount === guard.health().connections.open);
    const health = guard.health();
    expect(health).toMatchObject({ inUse: 0, waiting: 0, state: 'ok' });
    expect(pool.idleCount).toBe(pool.totalCount);
    expect(pool.waitingCount).toBe(0);
    await waitFor(async () => (await user.connections()) === pool.totalCount);
    expect(health.breaker).toMatchObject({ state: 'closed' });
    expect(await guard.query('SELECT 1 AS one')).toMatchObject({ rows: [{ one: 1 }] });
    await guard.close();
  }, 60_000);
});
