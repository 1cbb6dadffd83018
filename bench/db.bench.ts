/**
 * `npm run bench:db`: the table — pools of every size against a database user
 * limited to 10 connections, in one process and in four — unguarded and behind
 * guardPool(), side by side in one run; then the guard's own overhead per query.
 * Writes bench/results/db.md.
 */
import { writeFileSync } from 'node:fs';
import { mariaUser, pgUser } from '../test/db/support.js';
import { listening } from '../test/support/services.js';
import { measureOverhead, type Overhead } from './db/overhead.js';
import { renderReport } from './db/report.js';
import { ROWS, type Row } from './db/rows.js';
import { medianRound, type RowResult, runRow } from './db/run-row.js';
import { environment } from './scenarios/machine.js';

for (const [name, port] of [
  ['PostgreSQL', 5432],
  ['MariaDB', 3306],
] as const)
  if (!(await listening(port)))
    throw new Error(`${name} is not answering on 127.0.0.1:${port} (see TOOLCHAIN.md to start it)`);
const only = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const env = await environment();
const users = { pg: await pgUser(10, 'bench_db'), mysql: await mariaUser(10, 'bench_db') };
// Stopped early (Ctrl-C): drop the run's database users all the same.
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    void Promise.allSettled([users.pg.drop(), users.mysql.drop()]).then(() => process.exit(130));
  });
const redisUrl = 'redis://127.0.0.1:6379';
const fleetMissing = await fleetUnavailable();

// Rounds in alternating row order, so the machine's drift hits every row alike; each row
// reports its median round (by q/s), with the range over rounds.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const rounds = new Map<string, RowResult[]>();
const skipped: Array<{ row: Row; why: string }> = [];
try {
  const overheads: Overhead[] = [];
  // First, while the machine is as quiet as it gets in this run.
  for (const driver of ['pg', 'mysql'] as const) {
    const o = await measureOverhead(driver, users[driver]);
    overheads.push(o);
    process.stdout.write(
      `[overhead ${driver}] ${o.overheadUs.toFixed(1)} µs per query (bare ${o.bareMedianUs.toFixed(1)}, guarded ${o.guardedMedianUs.toFixed(1)})\n`,
    );
  }
  const rows = ROWS.filter((row) => only.length === 0 || only.includes(row.id));
  for (const row of rows.filter((r) => r.fleet && fleetMissing)) {
    skipped.push({ row, why: fleetMissing! });
    process.stdout.write(`[${row.id}] skipped: ${fleetMissing}\n`);
  }
  const runnable = rows.filter((r) => !(r.fleet && fleetMissing));
  for (let round = 1; round <= ROUNDS; round++) {
    for (const row of round % 2 === 1 ? runnable : [...runnable].reverse()) {
      const r = await runRow(row, users[row.driver], redisUrl);
      rounds.set(row.id, [...(rounds.get(row.id) ?? []), r]);
      process.stdout.write(
        `[round ${round}/${ROUNDS} ${row.id}] ok ${r.ok}/${r.total} errors ${JSON.stringify(r.errors)} ${r.qps.toFixed(0)} q/s p50 ${r.p50.toFixed(0)} ms p99 ${r.p99.toFixed(0)} ms peak ${r.peak} per process [${r.perProcess.join(', ')}] (${r.seconds.toFixed(1)} s)\n`,
      );
    }
  }
  const results = runnable.map((row) => medianRound(rounds.get(row.id)!));
  const markdown = renderReport({ env, results, skipped, overheads, rounds: ROUNDS });
  if (only.length === 0) writeFileSync(new URL('./results/db.md', import.meta.url), markdown);
  process.stdout.write(`\n${markdown}`);
} finally {
  await users.pg.drop();
  await users.mysql.drop();
}

/** Why the fleet rows cannot run, or undefined when they can. */
async function fleetUnavailable(): Promise<string | undefined> {
  if (!(await listening(6379))) return 'Redis is not answering on 127.0.0.1:6379';
  const specifier = './../src/redis/index.js';
  return import(specifier).then(
    () => undefined,
    () => 'needs selfheal/redis (redisStore), not on this branch yet',
  );
}
