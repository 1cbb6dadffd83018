/**
 * EMF lines CloudWatch would drop, tried on selfheal (`emfRecords`, `instrument({ metrics })`)
 * and Powertools Metrics 2.36: each cell says whether the tool refused the input (and
 * when) or wrote a line, and what the line held. Middy has no metrics of its own.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { instrument } from '../../src/serverless/index.js';
import { emfRecords, memorySink } from '../../src/telemetry/index.js';
import { capture, captured, release } from './peers.js';

type Attempt = () => string[] | undefined;

/** What a tool did with one input: the lines it wrote, or the error it refused it with. */
export function outcome(attempt: Attempt): string {
  try {
    const lines = attempt();
    if (!lines || lines.length === 0) return 'writes nothing';
    const metrics = lines.map(
      (l) => (JSON.parse(l)._aws?.CloudWatchMetrics?.[0]?.Metrics ?? []).length,
    );
    return `writes ${lines.length} line(s) (${metrics.join(' + ')} metrics)`;
  } catch (error) {
    return `refuses: ${(error as Error).name} “${(error as Error).message.slice(0, 70)}”`;
  }
}

function powertools(build: (m: Metrics) => void): string[] {
  capture();
  try {
    const metrics = new Metrics({ namespace: 'bench', serviceName: 'orders' });
    build(metrics);
    metrics.publishStoredMetrics();
    return [...captured].filter((l) => l.startsWith('{'));
  } finally {
    release();
  }
}

function ours(input: Partial<Parameters<typeof emfRecords>[0]>): string[] {
  return emfRecords({
    namespace: 'bench',
    timestamp: Date.now(),
    metrics: [{ name: 'Orders', unit: 'Count', value: 1 }],
    ...input,
  }).map((r) => JSON.stringify(r));
}

const dims = (n: number) =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`D${i}`, `v${i}`]));

export const EMF_CASES: Array<{ name: string; selfheal: Attempt; powertools: Attempt }> = [
  {
    name: '101 metrics in one invocation',
    selfheal: () =>
      ours({ metrics: Array.from({ length: 101 }, (_, i) => ({ name: `M${i}`, value: i })) }),
    powertools: () =>
      powertools((m) => {
        for (let i = 0; i < 101; i++) m.addMetric(`M${i}`, MetricUnit.Count, i);
      }),
  },
  {
    name: '31 dimensions',
    selfheal: () => ours({ dimensions: dims(31) }),
    powertools: () =>
      powertools((m) => {
        for (const [k, v] of Object.entries(dims(31))) m.addDimension(k, v);
        m.addMetric('Orders', MetricUnit.Count, 1);
      }),
  },
  {
    name: "unit `'ms'`",
    selfheal: () => ours({ metrics: [{ name: 'Latency', unit: 'ms' as never, value: 1 }] }),
    powertools: () => powertools((m) => m.addMetric('Latency', 'ms' as never, 1)),
  },
  {
    name: 'value NaN',
    selfheal: () => ours({ metrics: [{ name: 'Latency', value: Number.NaN }] }),
    powertools: () =>
      powertools((m) => m.addMetric('Latency', MetricUnit.Milliseconds, Number.NaN)),
  },
  {
    name: 'namespace `AWS/Lambda` (reserved)',
    selfheal: () => ours({ namespace: 'AWS/Lambda' }),
    powertools: () => {
      capture();
      try {
        const m = new Metrics({ namespace: 'AWS/Lambda', serviceName: 'orders' });
        m.addMetric('Orders', MetricUnit.Count, 1);
        m.publishStoredMetrics();
        return [...captured].filter((l) => l.startsWith('{'));
      } finally {
        release();
      }
    },
  },
  {
    name: "dimension value `'Zürich'` (not ASCII)",
    selfheal: () => ours({ dimensions: { City: 'Zürich' } }),
    powertools: () =>
      powertools((m) => {
        m.addDimension('City', 'Zürich');
        m.addMetric('Orders', MetricUnit.Count, 1);
      }),
  },
  {
    name: 'dimension named like a metric (`Orders`)',
    selfheal: () => ours({ dimensions: { Orders: 'x' } }),
    powertools: () =>
      powertools((m) => {
        m.addDimension('Orders', 'x');
        m.addMetric('Orders', MetricUnit.Count, 1);
      }),
  },
];

/** ColdStarts reported by the first invocation when the instance was provisioned ahead. */
export async function provisionedColdStart(): Promise<{ selfheal: string; powertools: string }> {
  process.env.AWS_LAMBDA_INITIALIZATION_TYPE = 'provisioned-concurrency';
  try {
    const sink = memorySink();
    await instrument(async () => 1, { sink, metrics: true, advice: false })(
      {},
      { awsRequestId: 'r' },
    );
    const ourLine = sink.records()[0] as { ColdStarts?: number };
    const theirs = powertools((m) => {
      m.captureColdStartMetric();
      m.addMetric('Orders', MetricUnit.Count, 1);
    });
    const cold = theirs.some((l) => 'ColdStart' in JSON.parse(l));
    return {
      selfheal: `ColdStarts = ${ourLine.ColdStarts}`,
      powertools: cold ? 'ColdStart written' : 'no ColdStart metric',
    };
  } finally {
    delete process.env.AWS_LAMBDA_INITIALIZATION_TYPE;
  }
}
