/**
 * Command-line flags of `npm run bench`: `--quick`, `--render`, `--scenarios a,b`, `--clients a,b`,
 * `--deadline-ms N`, `--out DIR`, and any scenario parameter as `--<scenario>-<param> N`
 * (e.g. `--overload-durationMs 10000 --overload-loadFactor 4`).
 */
import { SCENARIO_IDS, scenarioById } from './catalog.js';
import type { ScenarioId, ScenarioParams } from './types.js';

export interface BenchArgs {
  quick: boolean;
  /** Only rewrite scenarios.md from the JSON in outDir. */
  render: boolean;
  scenarios: ScenarioId[];
  clients: string[] | undefined;
  deadlineMs: number;
  outDir: string;
  params: Partial<Record<ScenarioId, ScenarioParams>>;
}

export const DEFAULT_DEADLINE_MS = 10_000;
export const QUICK_DEADLINE_MS = 3_000;

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new TypeError(`Unexpected argument \`${arg}\``);
    const eq = arg.indexOf('=');
    if (eq > 0) flags.set(arg.slice(2, eq), arg.slice(eq + 1));
    else if (arg === '--quick' || arg === '--help' || arg === '--render')
      flags.set(arg.slice(2), 'true');
    else flags.set(arg.slice(2), argv[++i] ?? '');
  }
  const quick = flags.get('quick') === 'true';
  const list = (key: string) => flags.get(key)?.split(',').filter(Boolean);
  const scenarios = (list('scenarios') ?? [...SCENARIO_IDS]).map((id) => scenarioById(id).id);
  const params: Partial<Record<ScenarioId, ScenarioParams>> = {};
  for (const id of SCENARIO_IDS)
    params[id] = { ...(quick ? scenarioById(id).quick : scenarioById(id).defaults) };
  for (const [key, value] of flags) {
    if (['quick', 'help', 'render', 'scenarios', 'clients', 'deadline-ms', 'out'].includes(key))
      continue;
    const id = SCENARIO_IDS.find((s) => key.startsWith(`${s}-`));
    const param = id ? key.slice(id.length + 1) : undefined;
    if (!id || !param || !(param in scenarioById(id).defaults)) {
      throw new TypeError(
        `Unknown flag \`--${key}\`; scenario flags are --<scenario>-<param> (see --help)`,
      );
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
    clients: list('clients'),
    deadlineMs: deadline,
    outDir: flags.get('out') ?? 'bench/results',
    params,
  };
}

export function helpText(): string {
  const lines = [
    'npm run bench -- [--quick] [--render] [--scenarios a,b] [--clients a,b] [--deadline-ms N] [--out DIR] [--<scenario>-<param> N]',
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
