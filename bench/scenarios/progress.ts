/** The progress line printed after each client × scenario. */
import type { ClientFigures } from './types.js';

/** One progress line: the scenario, the client and its headline figures. */
export function progressLine(id: string, f: ClientFigures, ms?: number): string {
  const keys: Array<keyof ClientFigures> = [
    'successRate',
    'goodput',
    'amplification',
    'throttled429',
    'outageRequests',
    'recoveryMs',
    'recoveryPeakRps',
    'p50Ms',
    'p99Ms',
    'overheadRatio',
  ];
  const shown = keys.filter((k) => f[k] !== null && !(id === 'overhead' && k === 'goodput'));
  const time = ms === undefined ? '' : ` (${(ms / 1000).toFixed(1)} s)`;
  return `[${id}] ${f.client.padEnd(15)}${shown.map((k) => ` ${k}=${String(f[k])}`).join('')}${time}`;
}
