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

/**
 * Throws a TypeError for a key of `value` not in `known`, naming the closest known key:
 * a misspelt option (``timeoutMargin``) must not pass silently and leave the default.
 * `path` prefixes the names (``advice.``) for nested options.
 */
export function knownKeys(value: object, known: readonly string[], path = ''): void {
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const near = closest(key, known);
    throw new TypeError(
      `Unknown option \`${path}${key}\`${near ? `: did you mean \`${path}${near}\`?` : ''} Known: ${known.join(', ')}`,
    );
  }
}

// The known key at the smallest edit distance (case-insensitive), if it is near enough
// to be a typo rather than a different word.
function closest(key: string, known: readonly string[]): string | undefined {
  if (key.length > 64) return undefined;
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  const k = key.toLowerCase();
  for (const candidate of known) {
    const c = candidate.toLowerCase();
    // A prefix (`timeoutMargin` of `timeoutMarginMs`) is the likeliest slip of all.
    const d =
      c.startsWith(k) || k.startsWith(c) ? Math.abs(c.length - k.length) / 4 : distance(k, c);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

// Levenshtein distance; keys are short (option names), so the O(n·m) rows are cheap.
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = row;
  }
  return previous[b.length]!;
}
