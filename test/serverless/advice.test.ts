import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { manualClock } from '../../src/core/index.js';
import { percentile } from '../../src/serverless/advice.js';
import { type Advice, instrument } from '../../src/serverless/index.js';
import { memorySink } from '../../src/telemetry/index.js';

/** Runs `n` invocations of `durationMs` each on a manual clock. */
async function run(durations: number[], options: Parameters<typeof instrument>[1] = {}) {
  const clock = manualClock(0);
  const sink = memorySink();
  let next = 0;
  const handler = instrument(
    async () => {
      await new Promise<void>((resolve) => clock.setTimer(resolve, durations[next++]!));
      return 'ok';
    },
    { sink, clock, timeoutMs: 1000, timeoutMarginMs: 100, ...options },
  );
  const advice: Advice[] = [];
  handler.events.on('advice', (e) => advice.push(e.advice));
  for (const d of durations) {
    const done = handler({});
    await clock.advance(d);
    await done;
  }
  return { sink, advice };
}

describe('percentile', () => {
  it('nearest rank', () => {
    const samples = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(samples, 0.95)).toBe(95);
    expect(percentile([5], 0.95)).toBe(5);
    expect(percentile([], 0.95)).toBeNaN();
  });

  it('property: p95 is a sample, ≥ 95 % of the samples are ≤ it', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 1, maxLength: 300 }),
        (samples) => {
          const p = percentile(samples, 0.95);
          expect(samples).toContain(p);
          expect(samples.filter((s) => s <= p).length / samples.length).toBeGreaterThanOrEqual(
            0.95,
          );
          expect(samples.filter((s) => s < p).length / samples.length).toBeLessThan(0.95);
        },
      ),
    );
  });
});

describe('instrument: advice to consider another resource', () => {
  it('advises once p95 passes 80 % of the budget, with the figures', async () => {
    const { sink, advice } = await run(Array.from({ length: 20 }, () => 850));
    expect(advice).toHaveLength(1);
    expect(advice[0]).toMatchObject({
      type: 'advice',
      recommendation: 'longer-running-compute',
      p95Ms: 850,
      budgetMs: 1000,
      share: 0.85,
      threshold: 0.8,
      samples: 20,
    });
    expect(advice[0]!.msg).toMatch(/Fargate/);
    expect(sink.records().filter((r) => r.type === 'advice')).toHaveLength(1);
  });

  it('stays quiet below the threshold or before enough samples', async () => {
    expect((await run(Array.from({ length: 40 }, () => 700))).advice).toEqual([]);
    expect((await run(Array.from({ length: 19 }, () => 880))).advice).toEqual([]);
  });

  it('repeats at most once per `every` invocations', async () => {
    const { advice } = await run(
      Array.from({ length: 30 }, () => 850),
      { advice: { minSamples: 5, every: 10 } },
    );
    expect(advice).toHaveLength(3);
  });

  it('a custom threshold, and `false` to turn it off', async () => {
    expect(
      (
        await run(
          Array.from({ length: 20 }, () => 650),
          { advice: { threshold: 0.6 } },
        )
      ).advice,
    ).toHaveLength(1);
    expect(
      (
        await run(
          Array.from({ length: 20 }, () => 890),
          { advice: false },
        )
      ).advice,
    ).toEqual([]);
  });
});
