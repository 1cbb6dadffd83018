/**
 * Per-invocation overhead of each wrapper around a resolved async handler, in one run
 * with tinybench. Every wrapper writes where it would in Lambda — stdout — and the bench
 * script sends stdout to /dev/null, so all pay the same write for each line they emit.
 * selfheal runs from dist/ (what users install), as the peers run their published JS:
 * the tsx loader would add a helper call to every closure of the TypeScript sources.
 */
import { Bench } from 'tinybench';
import { type AnyHandler, middyPeer, powertools } from './peers.js';

type Serverless = typeof import('../../src/serverless/index.js');
const { instrument } = (await import(
  new URL('../../dist/serverless/index.js', import.meta.url).href
)) as Serverless;

export interface OverheadRow {
  name: string;
  meanNs: number;
  p50Ns: number;
  /** Lines each invocation writes on success. */
  lines: string;
}

const event = { orderId: 'ord-1', amount: 42 };
const context = {
  awsRequestId: 'req-1',
  functionName: 'orders',
  memoryLimitInMB: '1024',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:orders',
  getRemainingTimeInMillis: () => 10_000,
};
const handler = async (e: typeof event) => e.amount + 1;

export async function measureOverhead(timeMs: number): Promise<OverheadRow[]> {
  const call = (fn: (...args: never[]) => Promise<unknown>) => () =>
    fn(event as never, context as never) as Promise<unknown>;
  const tasks: Array<[string, string, () => Promise<unknown>]> = [
    ['bare handler', '0', () => handler(event)],
    ['selfheal instrument() (no metrics)', '0', call(instrument(handler))],
    [
      'selfheal instrument({ metrics: true })',
      '1 EMF',
      call(instrument(handler, { metrics: true })),
    ],
    ['Middy 6.4 middy(handler)', '0', call(middyPeer.wrap(handler as unknown as AnyHandler))],
    [
      'Powertools 2.36 Logger(logEvent) + Metrics via Middy',
      '1 event log + 1 EMF',
      call(powertools.wrap(handler as unknown as AnyHandler)),
    ],
  ];
  const bench = new Bench({ time: timeMs, warmup: true, warmupTime: Math.min(500, timeMs / 2) });
  for (const [name, , fn] of tasks) bench.add(name, fn);
  await bench.run();
  return bench.tasks.map((task, i) => {
    const r = task.result as unknown as { latency: { mean: number; p50?: number } };
    return {
      name: task.name,
      meanNs: r.latency.mean * 1e6,
      p50Ns: (r.latency.p50 ?? r.latency.mean) * 1e6,
      lines: tasks[i]![1],
    };
  });
}
