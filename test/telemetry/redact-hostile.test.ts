import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { createRedactor } from '../../src/telemetry/index.js';
import { costRatio, growth, HOSTILE_TEXTS } from './fixtures/hostile.js';

// Linear work grows ~10× from 10 kB to 100 kB, quadratic work ~100×; on this kind of
// machine both grow more, as 100 kB no longer fits the CPU's first-level cache (linear
// measured 5–37× on a busy machine, the old quadratic JWT pattern 128–290×). The bound
// sits between; a ratio above it is measured again (a busy machine can spoil one
// measurement, not five in a row), so no figure depends on a quiet machine.
const BOUND = 60;
function worstCaseGrowth(measure: () => number, bound = BOUND): number {
  let best = measure();
  // Far above the bound is no accident of load (and a quadratic case is slow): no retry.
  for (let i = 1; i < 5 && best > bound && best < 1.5 * bound; i++)
    best = Math.min(best, measure());
  return best;
}

describe('redaction of hostile input runs in linear time', () => {
  // Every character is scanned: the cap would otherwise hide the growth.
  const whole = createRedactor({ maxStringLength: 1_000_000 });

  it.each(Object.entries(HOSTILE_TEXTS))('%s: 10× the input costs about 10×', (_name, make) => {
    expect(make(10_000).length).toBeGreaterThanOrEqual(10_000);
    expect(worstCaseGrowth(() => growth(make, whole.redactText, { enough: BOUND }))).toBeLessThan(
      BOUND,
    );
  });

  it("the issue's 100 kB run of `eyJ` is redacted as text, and costs what 10 kB does ×10", () => {
    const out = whole.redactText('eyJ'.repeat(33_334));
    expect(out).toBe('eyJ'.repeat(33_334)); // no JWT in it: nothing to redact
    expect(
      worstCaseGrowth(() =>
        growth((n) => 'eyJ'.repeat(n / 3), whole.redactText, { enough: BOUND }),
      ),
    ).toBeLessThan(BOUND);
  });

  const keyed = (chars: number) =>
    Object.fromEntries(
      Array.from({ length: 20 }, (_, i) => [`${'eyJ'.repeat(chars / 3)}${i}`, `value ${i}`]),
    );

  it('a key is scanned only over the part that is kept: a 100 kB key costs what a 2 kB one does', () => {
    const redactor = createRedactor();
    const small = keyed(2_000);
    const big = keyed(100_000);
    // 50× longer keys; scanning all of a key, even linearly, cost ~8× (the old 16 kB window).
    const ratio = worstCaseGrowth(
      () =>
        costRatio(
          () => () => redactor.redact(small),
          () => () => redactor.redact(big),
        ),
      4,
    );
    expect(ratio).toBeLessThan(4);
  });

  it('long keys cut to the same prefix stay apart, each cut short and marked', () => {
    const out = createRedactor().redact(keyed(100_000)) as Record<string, string>;
    const keys = Object.keys(out);
    expect(keys).toHaveLength(20);
    expect(new Set(Object.values(out)).size).toBe(20);
    for (const key of keys) {
      expect(key.length).toBeLessThan(300);
      expect(key).toContain('[TRUNCATED: 1000');
    }
  });

  it('a deny-listed term early in a long key is still found; the value is redacted', () => {
    const key = `password_${'x'.repeat(50_000)}`;
    const out = createRedactor().redact({ [key]: 'hunter2' });
    expect(JSON.stringify(out)).not.toContain('hunter2');
  });
});

describe('the key cache is bounded in bytes', () => {
  v8.setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const retainedMiB = (fill: (i: number) => void) => {
    gc();
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 300; i++) fill(i);
    gc();
    gc();
    return (process.memoryUsage().heapUsed - before) / 2 ** 20;
  };

  it('300 distinct 100 kB keys keep (almost) nothing alive (they kept 28.6 MiB)', () => {
    const redactor = createRedactor();
    const kept = [
      retainedMiB((i) => redactor.isSensitiveKey(`${i}:${'k'.repeat(100_000)}`)),
      retainedMiB((i) => redactor.redact({ [`${i}:${'k'.repeat(100_000)}`]: 1 })),
    ];
    for (const mib of kept) expect(mib).toBeLessThan(5);
  });

  it('a short key found in a long text does not keep the text alive', () => {
    const redactor = createRedactor();
    const mib = retainedMiB((i) =>
      redactor.redactText(`customer_field_${i}=1 ${'t'.repeat(100_000)}`),
    );
    expect(mib).toBeLessThan(5);
  });
});
