/**
 * Short budgets, advice that fires and says which lever helps, durations a person reads,
 * and overruns of CPU-bound work that no timer could stop.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeadlineExceededError, manualClock } from '../../src/core/index.js';
import { formatDuration } from '../../src/serverless/format.js';
import {
  type Advice,
  type Diagnostic,
  type InstrumentOptions,
  instrument,
} from '../../src/serverless/index.js';
import { memorySink } from '../../src/telemetry/index.js';
import { lambdaContext, never } from './helpers.js';

describe('instrument: short budgets (fake timers)', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    expect(vi.getTimerCount()).toBe(0);
    vi.useRealTimers();
  });

  it('a 1 s Lambda with the default margin runs, times out at half its budget and reports', async () => {
    const sink = memorySink();
    let ran = false;
    const handler = instrument(
      () => {
        ran = true;
        return never();
      },
      { sink, advice: false, metrics: true },
    );
    const outcome = handler(
      {},
      lambdaContext(1000, { getRemainingTimeInMillis: () => 1000 }),
    ).catch((e: unknown) => e);
    expect(ran).toBe(true);
    await vi.advanceTimersByTimeAsync(500);
    expect(await outcome).toBeInstanceOf(DeadlineExceededError);
    const [diagnostic, emf] = sink.records();
    expect(diagnostic).toMatchObject({
      reason: 'timeout',
      budgetMs: 1000,
      marginMs: 500,
      context: { coldStart: true },
    });
    expect(emf).toMatchObject({ Timeouts: 1, ColdStarts: 1 });
    expect(handler.health()).toMatchObject({
      invocations: 1,
      outcomes: { timeout: 1 },
      coldStarts: 1,
    });
  });

  it('a margin set at or above the budget becomes half the budget, said once in a warning line', async () => {
    const sink = memorySink();
    const handler = instrument(async () => 'ok', { sink, advice: false, timeoutMarginMs: 1000 });
    const context = () => lambdaContext(800, { getRemainingTimeInMillis: () => 800 });
    expect(await handler({}, context())).toBe('ok');
    expect(await handler({}, context())).toBe('ok');
    const warnings = sink.records().filter((r) => r.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ configuredMarginMs: 1000, marginMs: 400, budgetMs: 800 });
    expect(warnings[0]!.msg).toContain('using half the budget (400 ms)');
  });
});

/** `n` invocations of a handler that takes `ms` on a manual clock, in a Lambda-like context. */
async function run(
  n: number,
  ms: number | 'hang',
  context: { budgetMs: number; memoryMB?: number; cpuBound?: boolean },
  options: InstrumentOptions = {},
) {
  const clock = manualClock(1_000_000);
  const sink = memorySink();
  let cpu = 0;
  const handler = instrument(
    () => {
      if (ms === 'hang') return never();
      if (context.cpuBound) cpu += ms;
      return new Promise<string>((resolve) => clock.setTimer(() => resolve('ok'), ms));
    },
    { sink, clock, busyClock: () => cpu, advice: { minSamples: 20 }, ...options },
  );
  const advice: Advice[] = [];
  handler.events.on('advice', (e) => advice.push(e.advice));
  for (let i = 0; i < n; i++) {
    const end = clock.now() + context.budgetMs;
    const done = handler(
      {},
      {
        functionName: 'report',
        getRemainingTimeInMillis: () => end - clock.now(),
        ...(context.memoryMB !== undefined && { memoryLimitInMB: String(context.memoryMB) }),
      },
    ).catch(() => undefined);
    await clock.advance(ms === 'hang' ? context.budgetMs : ms);
    await done;
  }
  return { advice, sink };
}

describe('instrument: advice that fires and names the lever', () => {
  it('a 3 s function that times out 20 of 20 times is advised (a timeout uses the whole budget)', async () => {
    const { advice } = await run(20, 'hang', { budgetMs: 3000, memoryMB: 512 });
    expect(advice).toHaveLength(1);
    expect(advice[0]).toMatchObject({
      p95Ms: 3000,
      budgetMs: 3000,
      share: 1,
      recommendation: 'longer-timeout',
    });
    expect(advice[0]!.msg).toBe(
      'report: p95 duration 3 s is 100% of its 3 s budget. The event loop was busy 0% of the time. Raise the timeout (Lambda allows up to 15 min), or consider a longer-running compute type (a container task such as AWS Fargate or ECS).',
    );
  });

  it('at 900 s and 10,240 MB it no longer says "a longer timeout" and reads 13.5 min', async () => {
    const { advice } = await run(20, 810_000, {
      budgetMs: 900_000,
      memoryMB: 10_240,
      cpuBound: true,
    });
    expect(advice[0]).toMatchObject({
      recommendation: 'longer-running-compute',
      p95Ms: 810_000,
      busyShare: 1,
    });
    expect(advice[0]!.msg).toContain('p95 duration 13.5 min is 90% of its 15 min budget');
    expect(advice[0]!.msg).toContain("at Lambda's 15 min limit and its 10,240 MB maximum");
    expect(advice[0]!.msg).not.toMatch(/longer timeout|Raise the timeout/);
    expect(advice[0]!.msg).not.toMatch(/\d{5,} ms/);
  });

  it('CPU-bound work below the memory limit: more memory is the lever', async () => {
    const { advice } = await run(20, 9_000, { budgetMs: 10_000, memoryMB: 512, cpuBound: true });
    expect(advice[0]).toMatchObject({
      recommendation: 'more-memory',
      busyShare: 1,
      memoryLimitMB: 512,
    });
    expect(advice[0]!.msg).toContain('more memory is the lever');
    expect(advice[0]!.msg).toContain('this function has 512 MB');
  });

  it('at the 15 min limit, I/O-bound work is pointed at a longer-running compute type, not memory', async () => {
    const { advice } = await run(20, 850_000, { budgetMs: 900_000, memoryMB: 1024 });
    expect(advice[0]).toMatchObject({ recommendation: 'longer-running-compute', busyShare: 0 });
    expect(advice[0]!.msg).toContain('Step Functions');
    expect(advice[0]!.msg).not.toContain('more memory');
  });
});

describe('formatDuration', () => {
  it.each([
    [850, '850 ms'],
    [2_500, '2.5 s'],
    [3_000, '3 s'],
    [810_000, '13.5 min'],
    [900_000, '15 min'],
    [5_400_000, '1.5 h'],
  ])('%d ms reads %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('instrument: a CPU-bound overrun', () => {
  it('a loop that blocks the event loop past the early deadline is recorded when it returns', async () => {
    const sink = memorySink();
    const handler = instrument(
      () => {
        // Nothing can interrupt this: no timer fires while the loop holds the thread.
        const until = Date.now() + 150;
        while (Date.now() < until) {}
        return 'computed';
      },
      { sink, advice: false, metrics: true, timeoutMs: 100, timeoutMarginMs: 50 },
    );
    expect(await handler({})).toBe('computed');
    const [diagnostic, emf] = sink.records();
    expect(diagnostic).toMatchObject({
      type: 'diagnostic',
      reason: 'overrun',
      error: { name: 'DeadlineExceededError', deadlineMs: 50 },
    });
    expect((diagnostic as unknown as Diagnostic).msg).toContain('the event loop was blocked');
    expect(emf).toMatchObject({ Timeouts: 1, Errors: 0 });
    expect(handler.health().outcomes).toEqual({ success: 0, error: 0, timeout: 1 });
  });
});
