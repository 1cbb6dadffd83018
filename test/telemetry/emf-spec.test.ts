/**
 * EMF lines CloudWatch would reject are never written: the rules of the EMF specification
 * and the CloudWatch API (dimensions ≤ 30, printable-ASCII dimension names and values,
 * names ≤ 255, the namespace's characters and the reserved `AWS/`, the units list, finite
 * values, unique names, no dimension shadowing a metric) are checked at construction
 * where possible, and more than 100 metrics are split over several lines.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { instrument } from '../../src/serverless/index.js';
import {
  EMF_UNITS,
  type EmfMetric,
  emfMetrics,
  emfRecord,
  emfRecords,
  memorySink,
} from '../../src/telemetry/index.js';

const base = { namespace: 'shop', timestamp: 1_700_000_000_000 };
const one: EmfMetric[] = [{ name: 'Orders', unit: 'Count', value: 1 }];
const dims = (n: number) =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`D${i}`, `v${i}`]));

describe('emfRecord refuses what CloudWatch would reject', () => {
  it.each([
    ['31 dimensions', { dimensions: dims(31) }, RangeError, /at most 30 dimensions, got 31/],
    [
      'an empty dimension value',
      { dimensions: { Stage: '' } },
      TypeError,
      /`dimensions.Stage` to be non-blank printable ASCII/,
    ],
    [
      'a numeric dimension value',
      { dimensions: { Shard: 7 as unknown as string } },
      TypeError,
      /`dimensions.Shard` to be a string, got number/,
    ],
    [
      'a non-ASCII dimension value',
      { dimensions: { City: 'Zürich' } },
      TypeError,
      /printable ASCII/,
    ],
    [
      'a dimension value over 1,024 characters',
      { dimensions: { Id: 'x'.repeat(1025) } },
      RangeError,
      /at most 1024/,
    ],
    [
      'a dimension named like a metric',
      { dimensions: { Orders: 'x' } },
      TypeError,
      /`Orders`: it is taken by a metric/,
    ],
    [
      'a dimension name starting with a colon',
      { dimensions: { ':a': 'x' } },
      TypeError,
      /not starting with ':'/,
    ],
    [
      'a namespace over 255 characters',
      { namespace: 'n'.repeat(256) },
      RangeError,
      /`namespace` to have at most 255/,
    ],
    ['a namespace under AWS/', { namespace: 'AWS/Lambda' }, TypeError, /not to start with 'AWS\/'/],
    ['a namespace with other characters', { namespace: 'shop*prod' }, TypeError, /letters, digits/],
    [
      'unit ms',
      { metrics: [{ name: 'Latency', unit: 'ms' as never, value: 1 }] },
      TypeError,
      /CloudWatch unit/,
    ],
    ['NaN', { metrics: [{ name: 'Latency', value: Number.NaN }] }, RangeError, /finite number/],
    [
      'Infinity in an array',
      { metrics: [{ name: 'Latency', value: [1, Number.POSITIVE_INFINITY] }] },
      RangeError,
      /value\[1\]/,
    ],
    ['a duplicated name', { metrics: [...one, ...one] }, TypeError, /unique, got `Orders` twice/],
    [
      '101 metrics in one record',
      { metrics: Array.from({ length: 101 }, (_, i) => ({ name: `M${i}`, value: i })) },
      RangeError,
      /use emfRecords\(\)/,
    ],
    ['a property named _aws', { properties: { _aws: 1 } }, TypeError, /property `_aws`/],
  ])('%s', (_name, patch, Err, message) => {
    const input = { ...base, metrics: one, ...patch };
    expect(() => emfRecord(input)).toThrow(Err);
    expect(() => emfRecord(input)).toThrow(message);
  });

  it('accepts every CloudWatch unit and high-resolution metrics', () => {
    const metrics = EMF_UNITS.map((unit, i) => ({ name: `M${i}`, unit, value: i }));
    const record = emfRecord({
      ...base,
      metrics: [...metrics, { name: 'Hot', value: 1, resolution: 1 }],
    });
    const directive = (record._aws as { CloudWatchMetrics: [{ Metrics: object[] }] })
      .CloudWatchMetrics[0];
    expect(directive.Metrics).toHaveLength(EMF_UNITS.length + 1);
    expect(directive.Metrics.at(-1)).toEqual({ Name: 'Hot', Unit: 'None', StorageResolution: 1 });
  });
});

// A validator written from the specification, independent of the code under test.
function checkLine(record: Record<string, unknown>): void {
  const aws = record._aws as {
    Timestamp: number;
    CloudWatchMetrics: Array<{
      Namespace: string;
      Dimensions: string[][];
      Metrics: Array<{ Name: string }>;
    }>;
  };
  expect(Number.isInteger(aws.Timestamp)).toBe(true);
  for (const d of aws.CloudWatchMetrics) {
    expect(d.Metrics.length).toBeLessThanOrEqual(100);
    expect(new Set(d.Metrics.map((m) => m.Name)).size).toBe(d.Metrics.length);
    for (const set of d.Dimensions) {
      expect(set.length).toBeLessThanOrEqual(30);
      for (const key of set) expect(typeof record[key]).toBe('string');
    }
    for (const m of d.Metrics) {
      const v = record[m.Name];
      const values = Array.isArray(v) ? v : [v];
      expect(values.length).toBeLessThanOrEqual(100);
      for (const x of values) expect(Number.isFinite(x)).toBe(true);
    }
  }
}

describe('emfRecords splits past the limits, as Powertools does', () => {
  it('250 metrics become lines of 100, 100 and 50, each with the dimensions and properties', () => {
    const metrics = Array.from({ length: 250 }, (_, i) => ({
      name: `M${i}`,
      unit: 'Count' as const,
      value: i,
    }));
    const lines = emfRecords({
      ...base,
      dimensions: { Stage: 'prod' },
      properties: { requestId: 'r-1' },
      metrics,
    });
    expect(lines.map((l) => Object.keys(l).filter((k) => k.startsWith('M')).length)).toEqual([
      100, 100, 50,
    ]);
    for (const line of lines) {
      expect(line).toMatchObject({ Stage: 'prod', requestId: 'r-1' });
      checkLine(line);
    }
  });

  it('property: any number of metrics and values, every line meets the specification and no value is lost', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.array(fc.double({ min: -1e9, max: 1e9, noNaN: true }), {
            minLength: 1,
            maxLength: 250,
          }),
          { minLength: 1, maxLength: 130 },
        ),
        (series) => {
          const metrics = series.map((values, i) => ({ name: `S${i}`, value: values }));
          const lines = emfRecords({ ...base, metrics });
          for (const line of lines) checkLine(line);
          for (const [i, values] of series.entries())
            expect(lines.flatMap((l) => (l[`S${i}`] as number[] | undefined) ?? [])).toEqual(
              values,
            );
        },
      ),
      { numRuns: 50 },
    );
  });
});

describe('EMF options are checked when they are built', () => {
  it('emfMetrics() refuses a namespace or dimensions CloudWatch would reject', () => {
    expect(() => emfMetrics({ namespace: 'AWS/Mine' })).toThrow(
      /`namespace` not to start with 'AWS\/'/,
    );
    expect(() => emfMetrics({ dimensions: { Retries: 'x' } })).toThrow(/taken by a metric/);
    expect(() => emfMetrics({ dimensions: dims(31) })).toThrow(RangeError);
  });

  it('instrument() refuses bad metrics options, and leaves room for FunctionName', () => {
    const wrap = (metrics: object) => () =>
      instrument(async () => 1, { sink: memorySink(), metrics });
    expect(wrap({ dimensions: dims(30) })).toThrow(
      /`metrics.dimensions` to have at most 29 dimensions \(EMF allows 30, 1 taken\)/,
    );
    expect(wrap({ dimensions: { Duration: 'x' } })).toThrow(/taken by a metric/);
    expect(wrap({ dimensions: { FunctionName: 'x' } })).toThrow(/taken/);
    expect(wrap({ namespace: 'n'.repeat(256) })).toThrow(/`metrics.namespace` to have at most 255/);
    expect(wrap({ dimensions: { Stage: 'prød' } })).toThrow(/`metrics.dimensions.Stage`/);
  });

  it('a function name from the runtime that is not a valid dimension value is made one, not dropped', async () => {
    const sink = memorySink();
    const handler = instrument(async () => 1, { sink, metrics: true, advice: false });
    await handler({}, { functionName: 'bestellungen-zürich\n', awsRequestId: 'r-9' });
    const [line] = sink.records();
    expect(line).toMatchObject({
      FunctionName: 'bestellungen-z_rich_',
      requestId: 'r-9',
      Invocations: 1,
    });
    checkLine(line!);
  });
});
