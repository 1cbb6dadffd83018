/**
 * Command-line flags of `npm run bench`: `--quick`, `--render`, `--parallel`, `--only a,b`
 * (scenario ids or groups; `--scenarios` is the same), `--clients a,b`, `--deadline-ms N`,
 * `--out DIR`, and any scenario parameter as `--<scenario>-<param> N`
 * (e.g. `--overload-durationMs 10000 --overload-loadFactor 4`).
 */
import { expandScenarios, GROUPS, SCENARIO_IDS, scenarioById } from './catalog.js';
import type { ScenarioId, ScenarioParams } from './types.js';

export interface BenchArgs {
  quick: boolean;
  /** Only rewrite scenarios.md from the JSON in outDir. */
  render: boolean;
  scenarios: ScenarioId[];
  /** Whether `--only` chose the scenarios (the results file then keeps the others). */
  subset: boolean;
  clients: string[] | undefined;
  /** Run a scenario's clients side by side instead of turn by turn. */
  parallel: boolean;
  deadlineMs: number;
  outDir: string;
  params: Partial<Record<ScenarioId, ScenarioParams>>;
}

const BOOLEAN_FLAGS = ['quick', 'help', 'render', 'parallel'];
const VALUE_FLAGS = ['only', 'scenarios', 'clients', 'deadline-ms', 'out'];

export const DEFAULT_DEADLINE_MS = 10_000;
export const QUICK_DEADLINE_MS = 3_000;

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new TypeError(`Unexpected argument \`${arg}\``);
    const eq = arg.indexOf('=');
    if (eq > 0) flags.set(arg.slice(2, eq), arg.slice(eq + 1));
    else if (BOOLEAN_FLAGS.includes(arg.slice(2))) flags.set(arg.slice(2), 'true');
    else flags.set(arg.slice(2), argv[++i] ?? '');
  }
  const quick = flags.get('quick') === 'true';
  const list = (key: string) => flags.get(key)?.split(',').filter(Boolean);
  const only = list('only') ?? list('scenarios');
  const scenarios = only ? expandScenarios(only) : [...SCENARIO_IDS];
  const params: Partial<Record<ScenarioId, ScenarioParams>> = {};
  for (const id of SCENARIO_IDS)
    params[id] = { ...(quick ? scenarioById(id).quick : scenarioById(id).defaults) };
  for (const [key, value] of flags) {
    if ([...BOOLEAN_FLAGS, ...VALUE_FLAGS].includes(key)) continue;
    // The longest id that prefixes the flag: `outage-5s-outageMs` is outage-5s's, not outage's.
    const id = [...SCENARIO_IDS]
      .sort((a, b) => b.length - a.length)
      .find((s) => key.startsWith(`${s}-`));
    const param = id ? key.slice(id.length + 1) : undefined;
    if (!id || !param || !(param in scenarioById(id).defaults)) {
      throw new TypeError(`Unknown flag \`--${key}\`; scenario flags are --<scenario>-<param>`);
    }
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0)
      throw new TypeError(`Expected \`--${key}\` to be a non-negative number`);
    params[id]![param] = n;
  }
  const deadline = Number(
    flags.get('deadline-ms') ?? (quick ? QUICK_DEADLINE_MS : DEFAULT_DEADLINE_MS),
  );
  if (!Number.isFinite(deadline) || deadline <= 0)
    throw new TypeError('Expected `--deadline-ms` to be positive');
  return {
    quick,
    render: flags.get('render') === 'true',
    scenarios,
    subset: only !== undefined,
    clients: list('clients'),
    parallel: flags.get('parallel') === 'true',
    deadlineMs: deadline,
    outDir: flags.get('out') ?? 'bench/results',
    params,
  };
}

export function helpText(): string {
  const lines = [
    'npm run bench -- [--quick] [--render] [--parallel] [--only a,b] [--clients a,b] [--deadline-ms N] [--out DIR] [--<scenario>-<param> N]',
    '',
    '  --only a,b     scenarios or groups to run (default: all); --scenarios is the same',
    '  --parallel     run a scenario’s clients side by side (each against its own upstream): ~4 × faster, but',
    '                 they share one event loop — only on a quiet machine; default: turn by turn',
    '  --quick        short runs, clients side by side: checks the harness, not for conclusions',
    '',
    `Groups: ${Object.entries(GROUPS)
      .map(([g, ids]) => `${g} = ${ids.join(',')}`)
      .join('; ')}`,
    '',
    'Scenario parameters (defaults; --quick uses shorter ones):',
  ];
  for (const id of SCENARIO_IDS) {
    const d = scenarioById(id).defaults;
    lines.push(
      `  ${id}: ${Object.entries(d)
        .map(([k, v]) => `--${id}-${k} ${v}`)
        .join(' ')}`,
    );
  }
  return lines.join('\n');
}
