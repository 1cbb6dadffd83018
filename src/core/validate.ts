/**
 * Option validation, done once at construction. Messages name the option in backticks
 * and the accepted range: ``Expected `rate` to be a finite number > 0, got -1``.
 */

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null)
    return String(value);
  return typeof value;
}

/** A finite number in [min, max] (bounds inclusive unless `exclusiveMin`). */
export function numberOption(
  name: string,
  value: unknown,
  range: {
    min?: number;
    max?: number;
    exclusiveMin?: boolean;
    integer?: boolean;
    allowInfinity?: boolean;
  } = {},
): number {
  const {
    min = Number.NEGATIVE_INFINITY,
    max = Number.POSITIVE_INFINITY,
    exclusiveMin = false,
    integer = false,
  } = range;
  const describe = () => {
    const parts = [
      `${integer ? 'an integer' : range.allowInfinity ? 'a number' : 'a finite number'}`,
      Number.isFinite(min) ? `${exclusiveMin ? '>' : '≥'} ${min}` : '',
      Number.isFinite(max) ? `≤ ${max}` : '',
      range.allowInfinity ? 'or Infinity' : '',
    ];
    return parts.filter(Boolean).join(' ');
  };
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new TypeError(`Expected \`${name}\` to be ${describe()}, got ${show(value)}`);
  }
  const infiniteOk = range.allowInfinity && value === Number.POSITIVE_INFINITY;
  if (
    (!Number.isFinite(value) && !infiniteOk) ||
    (integer && !infiniteOk && !Number.isInteger(value)) ||
    value < min ||
    (exclusiveMin && value === min) ||
    value > max
  ) {
    throw new RangeError(`Expected \`${name}\` to be ${describe()}, got ${show(value)}`);
  }
  return value;
}

/** Like {@link numberOption}, but `undefined` gives `fallback`. */
export function optionalNumber(
  name: string,
  value: unknown,
  fallback: number,
  range?: Parameters<typeof numberOption>[2],
): number {
  return value === undefined ? fallback : numberOption(name, value, range);
}

/** A function, or `undefined` for `fallback`. */
export function functionOption<F extends Function>(name: string, value: unknown, fallback: F): F {
  if (value === undefined) return fallback;
  if (typeof value !== 'function')
    throw new TypeError(`Expected \`${name}\` to be a function, got ${show(value)}`);
  return value as F;
}

/** One of a fixed set of strings. */
export function enumOption<T extends string>(
  name: string,
  value: unknown,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw new TypeError(
      `Expected \`${name}\` to be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${show(value)}`,
    );
  }
  return value as T;
}

/** An options object (or undefined). */
export function objectOption<T extends object>(name: string, value: unknown): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`Expected \`${name}\` to be an options object, got ${show(value)}`);
  }
  return value as T;
}
