/**
 * `npm run bench`: the side-by-side scenario benchmark. Runs every scenario of the
 * catalog (or those `--only` names) against its clients, turn by turn (side by side with
 * `--parallel`, and always with `--quick`), prints one line per client × scenario on
 * stderr (and a heartbeat while one runs), and writes bench/results/scenarios.{json,md};
 * a subset run replaces only its own scenarios there. `--quick` runs each scenario
 * briefly to check the harness; `--render` rewrites scenarios.md from the scenarios.json
 * in `--out` without running; `--help` lists the flags.
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
let args: ReturnType<typeof parseBenchArgs>;
try {
  args = parseBenchArgs(argv);
} catch (error) {
  console.error(`bench: ${(error as Error).message} (see --help)`);
  process.exit(2);
}
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
  `bench: ${args.scenarios.length} scenario(s) × up to ${clients.length} client(s), ${args.parallel || args.quick ? 'side by side' : 'turn by turn'}${args.quick ? ' (quick)' : ''}; caller deadline ${args.deadlineMs} ms where a scenario sets none`,
);
const started = performance.now();
const results = await runHarness({
  scenarios: args.scenarios,
  clients,
  params: args.params,
  deadlineMs: args.deadlineMs,
  quick: args.quick,
  // Quick runs check the harness, not the figures: side by side is fine there.
  parallel: args.parallel || args.quick,
  onProgress: (line) => console.error(line),
});
const written = await writeResults(args.outDir, results, { merge: args.subset });
console.error(
  `bench: done in ${((performance.now() - started) / 1000).toFixed(0)} s → ${written.json}, ${written.md}${written.kept ? ` (kept ${written.kept} scenario(s) of the earlier run)` : ''}`,
);
