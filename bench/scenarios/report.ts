/** Writes scenarios.json and scenarios.md: a table per scenario, goals, and selfheal's losses. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkGoals, findLosses, SELFHEAL_IDS } from './goals.js';
import { goalReason, reasonFor } from './notes.js';
import type { BenchResults, ClientFigures } from './types.js';

const COLUMNS: Array<[keyof ClientFigures, string]> = [
  ['successRate', 'success'],
  ['goodput', 'goodput'],
  ['amplification', 'amplification'],
  ['serverRequests', 'server req'],
  ['throttled429', '429s'],
  ['outageRequests', 'outage req'],
  ['recoveryMs', 'recovery ms'],
  ['recoveryPeakRps', 'peak req/s after'],
  ['p50Ms', 'p50 ms'],
  ['p99Ms', 'p99 ms'],
  ['overheadRatio', 'overhead ×ky'],
  ['failedShed', 'shed'],
  ['failedRefused', 'refused'],
  ['failedTimeout', 'timeout'],
  ['failedNetwork', 'network'],
  ['failedOther', 'other'],
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
    `- **caller deadline**: ${results.deadlineMs} ms per logical call (retries and waits included)`,
    '',
  );
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
    const cols = COLUMNS.filter(([k]) =>
      figures.some((f) => f[k] !== null && (k !== 'goodput' || s.id !== 'overhead')),
    );
    out.push(`## ${s.title}`, '', s.summary, '');
    out.push(
      `Parameters: ${Object.entries(s.params)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')}` +
        `${s.offeredRps ? `; offered ${s.offeredRps} req/s` : ''}${s.capacity ? `; capacity ${s.capacity} req/s` : ''}.`,
      '',
    );
    out.push(
      `| client | ${cols.map(([, h]) => h).join(' | ')} |`,
      `|---|${cols.map(() => '---:').join('|')}|`,
    );
    for (const f of figures)
      out.push(`| ${f.client} | ${cols.map(([k]) => cell(f[k])).join(' | ')} |`);
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
    `| goal | ${SELFHEAL_IDS.join(' | ')} |`,
    `|---|${SELFHEAL_IDS.map(() => '---').join('|')}|`,
  ];
  for (const g of checkGoals(results)) {
    const v = SELFHEAL_IDS.map((id) => {
      const r = g.verdicts[id]!;
      if (r.met === null) return `n/a: ${r.detail}`;
      if (r.met) return `**met**: ${r.detail}`;
      const why = goalReason(id, g.scenario, results);
      return `**missed**${why ? ` ${ref(why)}` : ''}: ${r.detail}`;
    });
    out.push(`| ${g.goal} | ${v.join(' | ')} |`);
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

export async function writeResults(dir: string, results: BenchResults) {
  await mkdir(dir, { recursive: true });
  const json = join(dir, 'scenarios.json');
  const md = join(dir, 'scenarios.md');
  await writeFile(json, `${JSON.stringify(results, null, 2)}\n`);
  await writeFile(md, renderMarkdown(results));
  return { json, md };
}

/** Rewrites scenarios.md from the scenarios.json in `dir` (after editing notes, say). */
export async function renderResults(dir: string) {
  const results = JSON.parse(await readFile(join(dir, 'scenarios.json'), 'utf8')) as BenchResults;
  const md = join(dir, 'scenarios.md');
  await writeFile(md, renderMarkdown(results));
  return md;
}
