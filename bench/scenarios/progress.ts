/** The progress line printed after each client × scenario. */
import type { ClientFigures } from './types.js';

const KEYS: Array<keyof ClientFigures> = [
  'successRate',
  'goodput',
  'amplification',
  'throttled429',
  'outageRequests',
  'recoveryMs',
  'fullGoodputMs',
  'herd250ms',
  'herd1s',
  'p50Ms',
  'p99Ms',
  'overheadRatio',
];

/** One progress line: the scenario, the client and its headline figures. */
export function progressLine(id: string, f: ClientFigures, ms?: number): string {
  const shown = KEYS.filter((k) => f[k] !== null).map((k) => `${k}=${String(f[k])}`);
  if (f.lateCalls > 0) shown.push(`late=${f.lateCalls}`);
  if (f.goodputAfter) shown.push(`goodputAfter=${f.goodputAfter.join('/')}`);
  for (const [i, w] of (f.waves ?? []).entries())
    shown.push(`wave${i + 1}=${w.successes}/${w.calls}@${w.amplification ?? '–'}`);
  const time = ms === undefined ? '' : ` (${(ms / 1000).toFixed(1)} s)`;
  return `[${id}] ${f.client.padEnd(15)}${shown.map((s) => ` ${s}`).join('')}${time}`;
}
