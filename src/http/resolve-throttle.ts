/**
 * Validation of the `throttle` options (self-throttling, adaptive rate, quota pacing),
 * once, at `createClient` time; messages name the option (`throttle.rate`).
 */
import { numberOption, objectOption, optionalNumber } from '../core/internal.js';
import type { ThrottleOptions } from './options.js';

const DEFAULT_THROTTLE_STATUSES = [429, 502, 503, 504];

/** Throttle settings with defaults applied. */
export interface ResolvedThrottle {
  rate: number | undefined;
  burst: number | undefined;
  maxWaitMs: number;
  adaptive:
    | { beta: number; minRate: number; recoveryPerSecond: number; cooldownMs: number }
    | undefined;
  statusCodes: ReadonlySet<number>;
  pace: number | undefined;
}

/** Validates `throttle`; `undefined` when self-throttling is off. */
export function resolveThrottle(
  value: ThrottleOptions | false | undefined,
): ResolvedThrottle | undefined {
  if (value === false) return undefined;
  const o = objectOption<ThrottleOptions>('throttle', value) ?? {};
  const rate =
    o.rate === undefined
      ? undefined
      : numberOption('throttle.rate', o.rate, { min: 0, exclusiveMin: true });
  const burst =
    o.burst === undefined ? undefined : numberOption('throttle.burst', o.burst, { min: 1 });
  const adaptiveInput = o.adaptive === undefined || o.adaptive === true ? {} : o.adaptive;
  if (adaptiveInput !== false) objectOption('throttle.adaptive', adaptiveInput);
  const adaptive =
    adaptiveInput === false
      ? undefined
      : {
          beta: optionalNumber('throttle.adaptive.beta', adaptiveInput.beta, 0.7, {
            min: 0,
            max: 1,
            exclusiveMin: true,
          }),
          minRate: optionalNumber(
            'throttle.adaptive.minRate',
            adaptiveInput.minRate,
            Math.min(0.5, rate ?? 0.5),
            { min: 0, exclusiveMin: true },
          ),
          recoveryPerSecond: optionalNumber(
            'throttle.adaptive.recoveryPerSecond',
            adaptiveInput.recoveryPerSecond,
            0.2,
            { min: 0 },
          ),
          cooldownMs: optionalNumber(
            'throttle.adaptive.cooldownMs',
            adaptiveInput.cooldownMs,
            500,
            {
              min: 0,
            },
          ),
        };
  if (!adaptive && rate === undefined) {
    throw new TypeError(
      'Expected `throttle.rate` when `throttle.adaptive` is false (or set `throttle: false`)',
    );
  }
  const pace =
    o.pace === false ? undefined : optionalNumber('throttle.pace', o.pace, 0.5, { min: 0, max: 1 });
  return {
    rate,
    burst,
    maxWaitMs: optionalNumber('throttle.maxWaitMs', o.maxWaitMs, Number.POSITIVE_INFINITY, {
      min: 0,
      allowInfinity: true,
    }),
    adaptive,
    statusCodes: statusSet('throttle.statusCodes', o.statusCodes, DEFAULT_THROTTLE_STATUSES),
    pace,
  };
}

/** A set of HTTP statuses from an array option, validated. */
export function statusSet(name: string, value: unknown, fallback: number[]): ReadonlySet<number> {
  if (value === undefined) return new Set(fallback);
  if (!Array.isArray(value))
    throw new TypeError(
      `Expected \`${name}\` to be an array of HTTP status codes, got ${typeof value}`,
    );
  return new Set(
    value.map((s, i) => numberOption(`${name}[${i}]`, s, { min: 100, max: 599, integer: true })),
  );
}
