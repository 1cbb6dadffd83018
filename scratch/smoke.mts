import pg from 'pg';
import { guardPool, isPoolSaturatedError } from '../src/db/index.js';
const admin = new pg.Client({ host: '127.0.0.1', user: 'postgres', database: 'test' });
await admin.connect();
const r = 'smoke_' + Math.random().toString(36).slice(2, 8);
await admin.query(`CREATE ROLE ${r} LOGIN CONNECTION LIMIT 10`);
let peak = 0;
const sampler = setInterval(async () => { const { rows } = await admin.query('SELECT count(*)::int n FROM pg_stat_activity WHERE usename = $1', [r]); peak = Math.max(peak, rows[0].n); }, 50);
const pool = new pg.Pool({ host: '127.0.0.1', user: r, database: 'test', max: 20 });
const guard = guardPool(pool);
const counts: Record<string, number> = {};
guard.onEvent((e) => { counts[e.type] = (counts[e.type] ?? 0) + 1; if (e.type === 'limit-learned' || e.type === 'limit-changed' || e.type === 'alarm') console.log(e.type, JSON.stringify({ ...e, at: undefined })); });
const t0 = Date.now();
let ok = 0; const errs: Record<string, number> = {};
await Promise.all(Array.from({ length: 500 }, async () => {
  for (let i = 0; i < 5; i++) {
    try { await guard.query('SELECT pg_sleep(0.02)'); ok++; } catch (e: any) { const k = isPoolSaturatedError(e) ? 'saturated' : e.code ?? e.message; errs[k] = (errs[k] ?? 0) + 1; }
  }
}));
const s = (Date.now() - t0) / 1000;
console.log({ ok, errs, qps: Math.round(ok / s), peak, counts });
console.log(JSON.stringify(guard.health()));
console.log('closed idle', await guard.closeIdle());
await new Promise(r => setTimeout(r, 100));
console.log('after closeIdle', (await admin.query('SELECT count(*)::int n FROM pg_stat_activity WHERE usename = $1', [r])).rows[0]);
clearInterval(sampler);
await guard.close();
await admin.query(`DROP ROLE ${r}`);
await admin.end();
