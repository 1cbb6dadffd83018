/**
 * Where selfheal's per-request overhead goes: the overhead scenario run with bare fetch,
 * bare ky, and `createClient()` with its defaults and with one resilience option off at
 * a time (then all of them). Prints the p50 and the ratio to ky; writes nothing.
 * `npx tsx bench/scenarios/attribution.ts [durationMs] [rounds]`.
 */
import { createClient, type ResilienceOptions } from '../../src/http/index.js';
import { bareFetch, kyDefault } from './clients/peers.js';
import { runHarness } from './harness.js';
import type { ClientSpec } from './types.js';

const variant = (id: string, options: ResilienceOptions): ClientSpec => ({
  id,
  label: id,
  config: JSON.stringify(options),
  create: (ctx) => {
    const api = createClient({ headers: { 'x-bench-client': ctx.clientId }, ...options });
    return {
      async call(path, signal) {
        await api.get(ctx.origin + path, { signal }).arrayBuffer();
      },
    };
  },
});

const clients = [
  bareFetch,
  kyDefault,
  variant('defaults', {}),
  variant('bufferBody:false', { bufferBody: false }),
  variant('timeout:false', { timeout: false }),
  variant('breaker:false', { breaker: false }),
  variant('throttle:false', { throttle: false }),
  variant('retry:false', { retry: false }),
  variant('all five off', {
    bufferBody: false,
    timeout: false,
    breaker: false,
    throttle: false,
    retry: false,
  }),
];

const durationMs = Number(process.argv[2] ?? 27_000);
const rounds = Number(process.argv[3] ?? 6);
console.error(`attribution: ${clients.length} clients, ${durationMs} ms in ${rounds} rounds…`);
const results = await runHarness({
  scenarios: ['overhead'],
  clients,
  params: { overhead: { durationMs, rounds, latencyMs: 0 } },
  deadlineMs: 5_000,
});
console.log('| client | p50 ms | × ky |\n|---|---:|---:|');
for (const f of Object.values(results.scenarios.overhead!.clients)) {
  console.log(`| ${f.client} | ${f.p50Ms} | ${f.overheadRatio} |`);
}
