import net from 'node:net';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isBrokenCircuitError } from '../../src/core/index.js';
import { type DbEvent, guardPool } from '../../src/db/index.js';
import {
  alarmSink,
  connect,
  createRegistry,
  type TelemetryAlarm,
} from '../../src/telemetry/index.js';
import { requireService } from '../support/services.js';
import { load, pgUser, type TestUser, waitFor } from './support.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('guardPool on PostgreSQL: leaks, idle close, alarms, backpressure, breaker', () => {
  let user: TestUser;
  const cleanup: Array<() => Promise<unknown> | unknown> = [];
  beforeAll(async () => {
    await requireService('postgresql');
    user = await pgUser(10);
  });
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });
  afterAll(() => user?.drop());

  const guarded = (poolOptions: pg.PoolConfig, options: Parameters<typeof guardPool>[1] = {}) => {
    const guard = guardPool(new pg.Pool({ ...user.config, ...poolOptions }), options);
    cleanup.push(() => guard.close());
    return guard;
  };

  it("keeps pg's own calling conventions: callbacks work, a Submittable is sent to withConnection", async () => {
    const guard = guarded({ max: 2 });
    const viaCallback = await new Promise((resolve, reject) =>
      guard.query('SELECT $1::int AS n', [5], (error: unknown, result: pg.QueryResult) =>
        error ? reject(error) : resolve(result.rows),
      ),
    );
    expect(viaCallback).toEqual([{ n: 5 }]);
    const failed = await new Promise((resolve) =>
      guard.query('SELEC 1', (error: unknown) => resolve(error)),
    );
    expect(failed).toMatchObject({ code: '42601' });
    const cursorLike = { submit: () => undefined } as unknown as pg.Submittable;
    expect(() => guard.query(cursorLike)).toThrow(/Submittable .* withConnection/);
    expect(guard.health()).toMatchObject({ inUse: 0 });
  });

  it('reports a checkout held past leakDetectionMs, with the stack of the code that took it', async () => {
    const guard = guarded({ max: 5 }, { leakDetectionMs: 100 });
    const leaks: Array<DbEvent & { type: 'leak' }> = [];
    guard.on('leak', (e) => leaks.push(e));
    async function reportBuilderHoldsItTooLong() {
      await guard.withConnection(async (client) => {
        await client.query('SELECT 1');
        await sleep(300);
      });
    }
    await reportBuilderHoldsItTooLong();
    await guard.withConnection((client) => client.query('SELECT 1'));
    expect(leaks).toHaveLength(1);
    expect(leaks[0]!.heldMs).toBeGreaterThanOrEqual(100);
    expect(leaks[0]!.stack).toMatch(/reportBuilderHoldsItTooLong/);
    expect(leaks[0]!.stack).toMatch(/pg-features\.e2e\.test\.ts/);
    expect(leaks[0]!.stack).not.toMatch(/pool-guard/);
  });

  it('captures no stack at all while leak detection is off', async () => {
    const off = guarded({ max: 5 });
    const on = guarded({ max: 5 }, { leakDetectionMs: 60_000 });
    await off.query('SELECT 1');
    await on.query('SELECT 1');
    const original = Error.prepareStackTrace;
    let formatted = 0;
    Error.prepareStackTrace = (error, frames) => {
      formatted++;
      return original ? original(error, frames) : String(error);
    };
    try {
      for (let i = 0; i < 20; i++) await off.query('SELECT 1');
      expect(formatted).toBe(0);
      for (let i = 0; i < 20; i++) await on.query('SELECT 1');
      expect(formatted).toBeGreaterThanOrEqual(20);
    } finally {
      Error.prepareStackTrace = original;
    }
  });

  it('idleCloseMs leaves zero server-side connections for the role after the last operation', async () => {
    // The pool's own idle timeout off: only the guard closes.
    const guard = guarded({ max: 20, idleTimeoutMillis: 0 }, { idleCloseMs: 200 });
    const closed = new Promise<DbEvent>((resolve) => guard.on('idle-closed', resolve));
    await load(20, 3, () => guard.query('SELECT pg_sleep(0.01)'));
    expect(await user.connections()).toBeGreaterThan(0);
    expect(await closed).toMatchObject({ reason: 'idle' });
    expect(guard.health().connections.open).toBe(0);
    await waitFor(async () => (await user.connections()) === 0);
    // The next call opens again.
    expect(await guard.query('SELECT 2 AS two')).toMatchObject({ rows: [{ two: 2 }] });
  });

  it('closeIdle() resolves once the role holds no connection on the server', async () => {
    const guard = guarded({ max: 20, idleTimeoutMillis: 0 });
    await load(10, 2, () => guard.query('SELECT pg_sleep(0.01)'));
    const open = guard.health().connections.open;
    expect(open).toBeGreaterThan(1);
    expect(await guard.closeIdle()).toBe(open);
    await waitFor(async () => (await user.connections()) === 0, 1_000);
  });

  it('alarms at 80 % when another client holds 8 of the 10 connections, and leaves itself the rest', async () => {
    const others = await holdConnections(8);
    cleanup.push(() => Promise.all(others.map((c) => c.end())));
    const registry = createRegistry();
    const guard = guarded({ max: 20 }, { registry, name: 'orders-db' });
    const alarms: TelemetryAlarm[] = [];
    cleanup.push(connect(alarmSink({ notify: (a) => alarms.push(a) }), guard));
    await guard.query('SELECT 1');
    expect(alarms).toHaveLength(1);
    expect(alarms[0]).toMatchObject({
      kind: 'utilization',
      dependency: 'orders-db',
      source: 'db',
      value: 0.9,
    });
    expect(alarms[0]!.message).toBe(
      "orders-db is at 90 % of this user's 10 connections (9 in use; 8 held by other clients; alarm at 80 %)",
    );
    expect(guard.health()).toMatchObject({
      limit: 2,
      limitedBy: 'server',
      server: { others: 8, allowance: 2 },
    });
    const [entry] = registry.snapshot().dependencies;
    expect(entry).toMatchObject({ name: 'orders-db', kind: 'db', health: { limit: 2 } });
    expect(entry!.events!.counts.alarm).toBe(1);
    await guard.close();
    expect(registry.size).toBe(0);
  });

  it('backs off and lowers its limit when other clients take connections after the read: zero 53300 reach callers', async () => {
    const guard = guarded({ max: 20 }, { limitsRefreshMs: 60_000 });
    await guard.query('SELECT 1');
    expect(guard.health().limit).toBe(10);
    const others = await holdConnections(6);
    cleanup.push(() => Promise.all(others.map((c) => c.end())));
    const events: DbEvent[] = [];
    guard.onEvent((e) => events.push(e));
    const { outcomes } = await load(30, 5, () => guard.query('SELECT pg_sleep(0.02)'));
    expect(outcomes).toEqual({ ok: 150 });
    const backoffs = events.filter((e) => e.type === 'backoff');
    expect(backoffs.length).toBeGreaterThan(0);
    expect(backoffs[0]).toMatchObject({ code: '53300' });
    expect(events.some((e) => e.type === 'limit-changed' && e.reason === 'backpressure')).toBe(
      true,
    );
    // The refusal made it count the other clients again: it now keeps to the 4 they leave.
    expect(guard.health()).toMatchObject({ limit: 4, server: { others: 6, allowance: 4 } });
    const refused = guard.health().totals.refused;
    const again = await load(30, 5, () => guard.query('SELECT pg_sleep(0.02)'));
    expect(again.outcomes).toEqual({ ok: 150 });
    expect(guard.health().totals.refused).toBe(refused);
  });

  it('while other clients crowd the role: re-reads within ~1 s when they leave, and hands its idle connections back', async () => {
    const others = await holdConnections(8);
    cleanup.push(() => Promise.all(others.map((c) => c.end().catch(() => undefined))));
    const guard = guarded({ max: 20 });
    const changes: Array<{ to: number; reason: string }> = [];
    guard.on('limit-changed', (e) => changes.push({ to: e.to, reason: e.reason }));
    const closed = new Promise<DbEvent>((resolve) => guard.on('idle-closed', resolve));
    const running = load(40, 10, () => guard.query('SELECT pg_sleep(0.02)'));
    await sleep(300);
    expect(guard.health().limit).toBe(2);
    // Four of the other clients leave while callers wait here.
    await Promise.all(others.splice(0, 4).map((c) => c.end()));
    const { outcomes } = await running;
    expect(outcomes).toEqual({ ok: 400 });
    expect(changes.some((c) => c.reason === 'learned' && c.to === 6)).toBe(true);
    // The last operation ended while others still hold 4 and we hold 6: ours go back.
    expect(await closed).toMatchObject({ reason: 'idle' });
    await waitFor(async () => (await user.connections()) === 4, 2_000);
  });

  it('opens the breaker after failed connects in a row, fails fast with the cause, and closes on a good probe', async () => {
    const port = await freePort();
    const guard = guardPool(new pg.Pool({ ...user.config, port, max: 5 }), {
      breaker: { threshold: 3, resetTimeoutMs: 300 },
      backoff: { baseMs: 1, maxMs: 5 },
      discoverLimits: false,
    });
    cleanup.push(() => guard.close());
    const types: string[] = [];
    guard.onEvent((e) => types.push(e.type));
    const first = await guard.query('SELECT 1').catch((e: unknown) => e);
    expect(isBrokenCircuitError(first)).toBe(true);
    expect((first as Error).cause).toMatchObject({ code: 'ECONNREFUSED' });
    expect(guard.health().totals.connectionFailures).toBe(3);
    const fast = await guard.query('SELECT 1').catch((e: unknown) => e);
    expect(isBrokenCircuitError(fast)).toBe(true);
    expect(guard.health().totals.connectionFailures).toBe(3);
    expect(guard.health()).toMatchObject({ state: 'circuit-open' });
    // The database comes back (a proxy to the real server on the same port).
    const proxy = net.createServer((socket) => {
      const upstream = net.connect(5432, '127.0.0.1');
      socket.pipe(upstream).pipe(socket);
      socket.on('error', () => upstream.destroy());
      upstream.on('error', () => socket.destroy());
    });
    await new Promise<void>((r) => proxy.listen(port, '127.0.0.1', r));
    cleanup.push(() => new Promise((r) => proxy.close(r)));
    await sleep(350);
    expect(await guard.query('SELECT 1 AS one')).toMatchObject({ rows: [{ one: 1 }] });
    expect(guard.health().breaker).toMatchObject({ state: 'closed' });
    expect(types).toEqual(
      expect.arrayContaining([
        'connection-failed',
        'breaker-open',
        'rejected',
        'breaker-half-open',
        'breaker-closed',
      ]),
    );
    await guard.close();
  });

  it('a connect that hangs (a server that never answers) ends at the caller deadline; the attempt keeps its slot until it ends', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => {
      sockets.add(socket); // accepts, never answers the startup message
      socket.on('error', () => undefined);
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const { port } = silent.address() as net.AddressInfo;
    const guard = guardPool(new pg.Pool({ ...user.config, port, max: 5 }), {
      acquireTimeoutMs: 300,
      discoverLimits: false,
    });
    const started = performance.now();
    const error = await guard.query('SELECT 1').catch((e: unknown) => e);
    const waited = performance.now() - started;
    expect(error).toMatchObject({ name: 'PoolSaturatedError', reason: 'timeout' });
    expect(waited).toBeGreaterThanOrEqual(290);
    expect(waited).toBeLessThan(5_000);
    const controller = new AbortController();
    const aborted = guard
      .with({ signal: controller.signal, acquireTimeoutMs: 60_000 })
      .query('SELECT 1');
    setTimeout(() => controller.abort(new Error('handler out of time')), 100);
    await expect(aborted).rejects.toThrow('handler out of time');
    // Both attempts are still connecting: they hold their slots.
    expect(guard.health().inUse).toBe(2);
    for (const socket of sockets) socket.destroy();
    await waitFor(() => guard.health().inUse === 0, 2_000);
    await new Promise((r) => silent.close(r));
    await guard.close();
  });

  async function holdConnections(n: number): Promise<pg.Client[]> {
    const clients = Array.from({ length: n }, () => new pg.Client(user.config));
    await Promise.all(clients.map((c) => c.connect()));
    for (const c of clients) c.on('error', () => undefined);
    return clients;
  }
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
