import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDeadlineExceededError } from '../../src/core/index.js';
import { guardPool } from '../../src/db/index.js';
import { type Diagnostic, instrument } from '../../src/serverless/index.js';
import { memorySink } from '../../src/telemetry/index.js';
import { requireService } from '../support/services.js';
import { pgUser, type TestUser, waitFor } from './support.js';

/**
 * selfheal/db inside selfheal/serverless's `instrument()` — the two modules never import
 * each other; the handler uses both, as a user's Lambda would.
 */
describe('guardPool inside instrument()', () => {
  let user: TestUser;
  beforeAll(async () => {
    await requireService('postgresql');
    user = await pgUser(10);
  });
  afterAll(() => user?.drop());

  it('a cached instance keeps no connection between invocations (closeIdle before returning)', async () => {
    // Module scope in a real handler: the pool and its guard live as long as the instance.
    const guard = guardPool(new pg.Pool({ ...user.config, max: 10 }), { name: 'orders-db' });
    const sink = memorySink();
    const handler = instrument(
      async (event: { id: number }, _context, tools) => {
        const { rows } = await guard
          .with({ signal: tools.signal })
          .query('SELECT $1::int AS id', [event.id]);
        await guard.closeIdle();
        return rows[0];
      },
      { sink, sources: [guard], timeoutMs: 5_000, advice: false },
    );
    for (const id of [1, 2, 3]) {
      expect(await handler({ id })).toEqual({ id });
      // closeIdle() resolved once the sockets closed; the server forgets them a moment later.
      await waitFor(async () => (await user.connections()) === 0, 1_000);
    }
    await guard.close();
  });

  it('an invocation that runs out of time while the pool is saturated leaves the queue; the diagnostic shows the wait', async () => {
    const guard = guardPool(new pg.Pool({ ...user.config, max: 10 }), {
      maxConcurrent: 1,
      name: 'orders-db',
    });
    const sink = memorySink();
    const busy = guard.query('SELECT pg_sleep(1)');
    const handler = instrument(
      async (_event: unknown, _context, tools) =>
        guard.with({ signal: tools.signal }).query('SELECT 1'),
      { sink, sources: [guard], timeoutMs: 700, timeoutMarginMs: 400, advice: false },
    );
    const error = await handler({}).catch((e: unknown) => e);
    expect(isDeadlineExceededError(error)).toBe(true);
    await waitFor(() => guard.health().waiting === 0, 1_000);
    const diagnostic = sink.records<Diagnostic>().find((r) => r.selfheal?.events.length);
    expect(diagnostic?.selfheal.events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'queued', source: 'db', name: 'orders-db', inUse: 1 }),
      ]),
    );
    await busy;
    expect(guard.health()).toMatchObject({ inUse: 0, waiting: 0 });
    await guard.close();
  });
});
