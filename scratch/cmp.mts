import pg from 'pg';
import { guardPool } from '../src/db/index.js';
const admin = new pg.Client({ host: '127.0.0.1', user: 'postgres', database: 'test' });
await admin.connect();
const r = 'cmp_' + Math.random().toString(36).slice(2, 8);
await admin.query(`CREATE ROLE ${r} LOGIN CONNECTION LIMIT 10`);
async function load(q: () => Promise<unknown>) {
  const t0 = Date.now(); let ok = 0, err = 0;
  await Promise.all(Array.from({ length: 500 }, async () => { for (let i = 0; i < 5; i++) { try { await q(); ok++; } catch { err++; } } }));
  return { ok, err, qps: Math.round(ok / ((Date.now() - t0) / 1000)) };
}
for (let round = 0; round < 2; round++) {
  const bare = new pg.Pool({ host: '127.0.0.1', user: r, database: 'test', max: 10 });
  console.log('bare10', await load(() => bare.query('SELECT pg_sleep(0.02)')));
  await bare.end();
  const pool = new pg.Pool({ host: '127.0.0.1', user: r, database: 'test', max: 20 });
  const guard = guardPool(pool);
  console.log('guard20', await load(() => guard.query('SELECT pg_sleep(0.02)')));
  await guard.close();
}
await admin.query(`DROP ROLE ${r}`);
await admin.end();
