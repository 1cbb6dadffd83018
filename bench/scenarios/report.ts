/** Writes scenarios.json and scenarios.md: a table per scenario, goals, and selfheal's losses. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SCENARIO_IDS } from './catalog.js';
import { checkGoals, findLosses, SELFHEAL_IDS } from './goals.js';
import { goalReason, reasonFor } from './notes.js';
import type { BenchResults, ClientFigures, ScenarioResult } from './types.js';

type Column = {
  header: string;
  value: (f: ClientFigures) => unknown;
  show?: (s: ScenarioResult) => boolean;
};

const figure = (key: keyof ClientFigures, header: string): Column => ({
  header,
  value: (f) => f[key],
});
const wave = (i: number): Column => ({
  header: `wave ${i + 1}: ok · ampl · s`,
  value: (f) => {
    const w = f.waves?.[i];
    return w
      ? `${w.successes}/${w.calls} · ${w.amplification ?? '–'} · ${(w.durationMs / 1000).toFixed(1)}`
      : null;
  },
});

const COLUMNS: Column[] = [
  figure('successRate', 'success'),
  figure('goodput', 'goodput'),
  figure('amplification', 'amplification'),
  figure('serverRequests', 'server req'),
  figure('throttled429', '429s'),
  wave(0),
  wave(1),
  {
    header: 'late',
    value: (f) => f.lateCalls,
    show: (s) =>
      'totalTimeoutMs' in s.settings || Object.values(s.clients).some((f) => f.lateCalls > 0),
  },
  figure('outageRequests', 'outage req'),
  figure('recoveryMs', 'recovery ms'),
  figure('fullGoodputMs', 'full goodput ms'),
  figure('herd250ms', 'herd 250 ms ×'),
  figure('herd1s', 'herd 1 s ×'),
  { header: 'goodput/s after trigger', value: (f) => f.goodputAfter?.join(', ') ?? null },
  figure('p50Ms', 'p50 ms'),
  figure('p99Ms', 'p99 ms'),
  figure('overheadRatio', 'overhead ×ky'),
  figure('failedShed', 'shed'),
  figure('failedRefused', 'refused'),
  figure('failedTimeout', 'timeout'),
  figure('failedNetwork', 'network'),
  figure('failedOther', 'other'),
];

const cell = (v: unknown) => (v === null || v === undefined ? '–' : String(v));

export function renderMarkdown(results: BenchResults): string {
  const out: string[] = [
    '# Scenario benchmarks: selfheal against bare fetch, ky, p-retry and cockatiel',
    '',
  ];
  out.push(
    `Generated ${results.generatedAt} by \`npm run bench${results.quick ? ' -- --quick' : ''}\`` +
      `${results.quick ? ' (**quick mode: short runs, for checking the harness, not for conclusions**)' : ''}. ` +
      'How to reproduce and what each figure means: [docs/benchmarks.md](../../docs/benchmarks.md).',
    '',
  );
  for (const [k, v] of Object.entries(results.environment)) out.push(`- **${k}**: ${v}`);
  out.push(
    `- **caller deadline**: ${results.deadlineMs} ms per logical call (retries and waits included), where a scenario sets none`,
  );
  if (results.wallTimeS !== undefined)
    out.push(
      `- **wall time**: ${results.wallTimeS} s (the last run, warm-up included; each section says when it ran)`,
    );
  out.push('');
  out.push(
    'One process runs the upstream and the client under test, turn by turn, on a shared machine: absolute ' +
      'latencies are noisy; ratios and counts (amplification, goodput, 429s, outage requests) are the signal.',
    '',
  );
  out.push('## Clients', '', '| client | what | configuration |', '|---|---|---|');
  for (const [id, c] of Object.entries(results.clients))
    out.push(`| ${id} | ${c.label} | ${c.config} |`);
  out.push('');
  for (const s of Object.values(results.scenarios)) {
    if (!s) continue;
    const figures = Object.values(s.clients);
    const cols = COLUMNS.filter((c) =>
      c.show ? c.show(s) : figures.some((f) => c.value(f) !== null && c.value(f) !== undefined),
    );
    out.push(`## ${s.title}`, '', s.summary, '');
    out.push(
      `Parameters: ${Object.entries(s.params)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')}` +
        `${s.offeredRps ? `; offered ${s.offeredRps} req/s` : ''}${s.capacity ? `; capacity ${s.capacity} req/s` : ''}` +
        `; deadline ${s.deadlineMs} ms per call` +
        `${
          Object.keys(s.settings).length
            ? `; every client sets ${Object.entries(s.settings)
                .map(([k, v]) => `${k}=${v}`)
                .join(', ')}`
            : ''
        }` +
        `; clients ran ${s.parallel ? 'side by side, each against its own upstream' : 'turn by turn'}` +
        `${s.ranAt ? `; run ${s.ranAt} on selfheal ${s.selfheal}` : ''}.`,
      '',
    );
    out.push(
      `| client | ${cols.map((c) => c.header).join(' | ')} |`,
      `|---|${cols.map(() => '---:').join('|')}|`,
    );
    for (const f of figures)
      out.push(`| ${f.client} | ${cols.map((c) => cell(c.value(f))).join(' | ')} |`);
    out.push('');
  }
  const reasons: string[] = [];
  const ref = (text: string) => {
    if (!reasons.includes(text)) reasons.push(text);
    return `[${reasons.indexOf(text) + 1}]`;
  };
  out.push(...goalsSection(results, ref), ...lossesSection(results, ref));
  out.push('', '### Why', '', ...reasons.map((r, i) => `${i + 1}. ${r}.`), '');
  return out.join('\n');
}

type Ref = (reason: string) => string;

function goalsSection(results: BenchResults, ref: Ref): string[] {
  const out = [
    '## Goals',
    '',
    `| scenario | goal | ${SELFHEAL_IDS.join(' | ')} |`,
    `|---|---|${SELFHEAL_IDS.map(() => '---').join('|')}|`,
  ];
  for (const g of checkGoals(results)) {
    const v = SELFHEAL_IDS.map((id) => {
      const r = g.verdicts[id];
      if (!r) return '–';
      if (r.met === null) return `n/a: ${r.detail}`;
      if (r.met) return `**met**: ${r.detail}`;
      const why = goalReason(id, g.scenario, results);
      return `**missed**${why ? ` ${ref(why)}` : ''}: ${r.detail}`;
    });
    out.push(`| ${g.scenario} | ${g.goal} | ${v.join(' | ')} |`);
  }
  return out;
}

function lossesSection(results: BenchResults, ref: Ref): string[] {
  const out = ['', '## Where selfheal loses to a peer', ''];
  const peers = Object.keys(results.clients).filter(
    (id) => !(SELFHEAL_IDS as readonly string[]).includes(id),
  );
  const losses = findLosses(results, peers);
  if (losses.length === 0) return [...out, 'Nowhere in this run (beyond noise margins).'];
  out.push(
    'Every figure on which a selfheal client does worse than the best peer (beyond a noise margin), and why. ' +
      'Latency (of successes) is compared only with peers that succeeded at least as often.',
    '',
    '| scenario | client | figure | selfheal | best peer | why |',
    '|---|---|---|---:|---|---|',
  );
  for (const l of losses) {
    out.push(
      `| ${l.scenario} | ${l.client} | ${l.figure} | ${l.value} | ${l.peer}: ${l.peerValue} | ${ref(reasonFor(l, results))} |`,
    );
  }
  return out;
}

/**
 * Writes scenarios.json and .md. With `merge` (a subset run), the scenarios of the
 * results already in `dir` that this run did not redo are kept, in catalog order, if
 * both runs are full-length or both quick.
 */
export async function writeResults(
  dir: string,
  results: BenchResults,
  options: { merge?: boolean } = {},
) {
  await mkdir(dir, { recursive: true });
  const json = join(dir, 'scenarios.json');
  const md = join(dir, 'scenarios.md');
  let kept = 0;
  let merged = results;
  const earlier = options.merge ? await readResults(dir) : undefined;
  if (earlier && earlier.quick === results.quick) {
    const scenarios: BenchResults['scenarios'] = {};
    for (const id of SCENARIO_IDS) {
      const s = results.scenarios[id] ?? earlier.scenarios[id];
      if (!s) continue;
      if (!results.scenarios[id]) kept++;
      scenarios[id] = s;
    }
    merged = { ...results, clients: { ...earlier.clients, ...results.clients }, scenarios };
  }
  await writeFile(json, `${JSON.stringify(merged, null, 2)}\n`);
  await writeFile(md, renderMarkdown(merged));
  return { json, md, kept };
}

async function readResults(dir: string): Promise<BenchResults | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, 'scenarios.json'), 'utf8')) as BenchResults;
  } catch {
    return undefined;
  }
}

/** Rewrites scenarios.md from the scenarios.json in `dir` (after editing notes, say). */
export async function renderResults(dir: string) {
  const results = JSON.parse(await readFile(join(dir, 'scenarios.json'), 'utf8')) as BenchResults;
  const md = join(dir, 'scenarios.md');
  await writeFile(md, renderMarkdown(results));
  return md;
}
