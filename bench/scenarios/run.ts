/**
 * `npm run bench`: the side-by-side scenario benchmark. Runs overload, outage, flaky,
 * rate-limit headers and overhead against every client, turn by turn, prints one line
 * per client × scenario on stderr, and writes bench/results/scenarios.{json,md}.
 * `--quick` runs each scenario briefly to check the harness; `--render` rewrites
 * scenarios.md from the scenarios.json in `--out` without running; `--help` lists the flags.
 */
import { helpText, parseBenchArgs } from './args.js';
import { CLIENTS } from './clients/index.js';
import { runHarness } from './harness.js';
import { renderResults, writeResults } from './report.js';

const argv = process.argv.slice(2);
if (argv.includes('--help')) {
  console.log(helpText());
  process.exit(0);
}
const args = parseBenchArgs(argv);
if (args.render) {
  console.error(`bench: rendered ${await renderResults(args.outDir)}`);
  process.exit(0);
}
const unknown = args.clients?.filter((id) => !CLIENTS.some((c) => c.id === id)) ?? [];
if (unknown.length) {
  console.error(
    `bench: unknown client(s) ${unknown.join(', ')}; expected ${CLIENTS.map((c) => c.id).join(', ')}`,
  );
  process.exit(2);
}
const clients = args.clients ? CLIENTS.filter((c) => args.clients!.includes(c.id)) : [...CLIENTS];
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
const written = await writeResults(args.outDir, results);
console.error(
  `bench: done in ${((performance.now() - started) / 1000).toFixed(0)} s → ${written.json}, ${written.md}`,
);
