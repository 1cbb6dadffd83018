/**
 * `npm run bench`: the side-by-side scenario benchmark. Runs overload, outage, flaky,
 * rate-limit headers and overhead against every client, turn by turn, prints one line
 * per client × scenario on stderr, and writes bench/results/scenarios.{json,md}.
 * `--quick` runs each scenario briefly to check the harness; `--help` lists the flags.
 */
import { helpText, parseBenchArgs } from './args.js';
import { allClients } from './clients/index.js';
import { runHarness } from './harness.js';
import { writeResults } from './report.js';

const argv = process.argv.slice(2);
if (argv.includes('--help')) {
  console.log(helpText());
  process.exit(0);
}
const args = parseBenchArgs(argv);
const { clients: every, missing } = await allClients();
const clients = args.clients ? every.filter((c) => args.clients!.includes(c.id)) : every;
if (missing.length) console.error(`bench: not available, skipped: ${missing.join(', ')}`);
console.error(
  `bench: ${args.scenarios.length} scenario(s) × ${clients.length} client(s)${args.quick ? ' (quick)' : ''}, deadline ${args.deadlineMs} ms`,
);
const started = performance.now();
const results = await runHarness({
  scenarios: args.scenarios,
  clients,
  params: args.params,
  deadlineMs: args.deadlineMs,
  quick: args.quick,
  onProgress: (line) => console.error(line),
});
const written = await writeResults(args.outDir, results, missing);
console.error(
  `bench: done in ${((performance.now() - started) / 1000).toFixed(0)} s → ${written.json}, ${written.md}`,
);
