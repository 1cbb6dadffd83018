import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DbEvent, guardPool } from '../../src/db/index.js';
import { requireService } from '../support/services.js';
import { load, mariaUser, type TestUser, waitFor } from './support.js';

describe('guardPool on MariaDB: other clients, backpressure (1226), alarm, idle close', () => {
  let user: TestUser;
  beforeAll(async () => {
    await requireService('mariadb');
    user = await mariaUser(10);
  });
  afterAll(() => user?.drop());

  const holdConnections = (n: number) =>
    Promise.all(Array.from({ length: n }, () => mysql.createConnection(user.config)));

  it('counts other clients, alarms at 80 %, and backs off when they take more after the read', async () => {
    const early = await holdConnections(7);
    const guard = guardPool(mysql.createPool({ ...user.config, connectionLimit: 20 }), {
      limitsRefreshMs: 60_000,
      name: 'billing-db',
    });
    const events: DbEvent[] = [];
    guard.onEvent((e) => events.push(e));
    await guard.query('SELECT 1');
    expect(guard.health()).toMatchObject({
      limit: 3,
      server: { userMax: 10, others: 7, allowance: 3 },
    });
    expect(events.find((e) => e.type === 'alarm')).toMatchObject({
      kind: 'utilization',
      name: 'billing-db',
      value: 0.8,
      others: 7,
    });
    // One more client arrives after the read: the guard's third connection is refused.
    const late = await holdConnections(1);
    const { outcomes } = await load(20, 5, () => guard.query('SELECT SLEEP(0.02)'));
    expect(outcomes).toEqual({ ok: 100 });
    expect(events.find((e) => e.type === 'backoff')).toMatchObject({
      code: 'ER_USER_LIMIT_REACHED',
    });
    expect(guard.health()).toMatchObject({ limit: 2, server: { others: 8 } });
    await Promise.all([...early, ...late].map((c) => c.end()));
    await guard.close();
  });

  it('idleCloseMs leaves zero server-side connections for the user', async () => {
    const guard = guardPool(mysql.createPool({ ...user.config, connectionLimit: 20 }), {
      idleCloseMs: 150,
    });
    const closed = new Promise<DbEvent>((resolve) => guard.on('idle-closed', resolve));
    await load(10, 3, () => guard.query('SELECT SLEEP(0.01)'));
    expect(await user.connections()).toBeGreaterThan(0);
    expect(await closed).toMatchObject({ reason: 'idle' });
    await waitFor(async () => (await user.connections()) === 0, 1_000);
    await guard.close();
  });
});
