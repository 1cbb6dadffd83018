/**
 * The rules of the CloudWatch Embedded Metric Format that decide whether CloudWatch keeps
 * or drops a line: namespace, dimension and metric names, dimension values, units and
 * values. Checks throw TypeError / RangeError naming the offending field, so a bad
 * configuration is found when it is built, not as metrics that silently never appear.
 * Limits: the EMF specification and the CloudWatch API (Dimension, Metric, MetricDatum).
 */

/** The units CloudWatch accepts (MetricDatum.Unit). */
export const EMF_UNITS = [
  'Seconds',
  'Microseconds',
  'Milliseconds',
  'Bytes',
  'Kilobytes',
  'Megabytes',
  'Gigabytes',
  'Terabytes',
  'Bits',
  'Kilobits',
  'Megabits',
  'Gigabits',
  'Terabits',
  'Percent',
  'Count',
  'Bytes/Second',
  'Kilobytes/Second',
  'Megabytes/Second',
  'Gigabytes/Second',
  'Terabytes/Second',
  'Bits/Second',
  'Kilobits/Second',
  'Megabits/Second',
  'Gigabits/Second',
  'Terabits/Second',
  'Count/Second',
  'None',
] as const;

/** A CloudWatch unit. */
export type EmfUnit = (typeof EMF_UNITS)[number];

/** Limits of one EMF line. */
export const EMF_LIMITS = Object.freeze({
  /** Dimension keys in one dimension set. */
  dimensions: 30,
  /** Metric definitions in one directive (more are split over several lines). */
  metrics: 100,
  /** Values of one metric in one line. */
  values: 100,
  /** Characters of a namespace, dimension name or metric name. */
  nameLength: 255,
  /** Characters of a dimension value. */
  dimensionValueLength: 1024,
  /** CloudWatch rejects values outside ±2^360. */
  maxValue: 2 ** 360,
});

// Printable ASCII only: CloudWatch refuses control characters and anything non-ASCII in
// namespaces, dimension names and dimension values.
const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;
const NAMESPACE = /^[0-9A-Za-z._\-/#: ]+$/;
// Control characters (C0 and DEL), tested by code point: a regex literal of them reads badly.
const hasControl = (text: string) => {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
};

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 80)) : String(value);
}

/** Checks a namespace: 1–255 of `0-9A-Za-z._-/#:` and space, not `AWS/…`, not `:…`. */
export function emfNamespaceOption(name: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw new TypeError(`Expected \`${name}\` to be a non-empty string, got ${describe(value)}`);
  if (value.length > EMF_LIMITS.nameLength)
    throw new RangeError(
      `Expected \`${name}\` to have at most ${EMF_LIMITS.nameLength} characters, got ${value.length}`,
    );
  if (!NAMESPACE.test(value) || value.startsWith(':'))
    throw new TypeError(
      `Expected \`${name}\` to use only letters, digits, space and . _ - / # : (not starting with ':'), got ${describe(value)}`,
    );
  if (value.startsWith('AWS/'))
    throw new TypeError(
      `Expected \`${name}\` not to start with 'AWS/' (reserved for AWS services), got ${describe(value)}`,
    );
  return value;
}

/** Checks a dimension name or a metric name. */
export function checkName(name: string, value: unknown, asciiOnly: boolean): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw new TypeError(`Expected \`${name}\` to be a non-empty string, got ${describe(value)}`);
  if (value.length > EMF_LIMITS.nameLength)
    throw new RangeError(
      `Expected \`${name}\` to have at most ${EMF_LIMITS.nameLength} characters, got ${value.length}`,
    );
  if (asciiOnly ? !PRINTABLE_ASCII.test(value) || value.startsWith(':') : hasControl(value))
    throw new TypeError(
      `Expected \`${name}\` to be ${asciiOnly ? "printable ASCII not starting with ':'" : 'free of control characters'}, got ${describe(value)}`,
    );
  return value;
}

/** Checks a dimension value: a string of 1–1,024 printable ASCII characters, not blank. */
export function checkDimensionValue(name: string, value: unknown): string {
  if (typeof value !== 'string')
    throw new TypeError(`Expected \`${name}\` to be a string, got ${typeof value}`);
  if (value.trim() === '' || !PRINTABLE_ASCII.test(value))
    throw new TypeError(
      `Expected \`${name}\` to be non-blank printable ASCII, got ${describe(value)}`,
    );
  if (value.length > EMF_LIMITS.dimensionValueLength)
    throw new RangeError(
      `Expected \`${name}\` to have at most ${EMF_LIMITS.dimensionValueLength} characters, got ${value.length}`,
    );
  return value;
}

/**
 * Checks a dimension set: at most `max` keys (30 in EMF; less when the caller adds its
 * own), valid names and values, no name `reserved` (metric and property names: in the
 * line's root object a dimension of the same name would overwrite them).
 */
export function emfDimensionsOption(
  name: string,
  value: unknown,
  reserved: readonly string[] = [],
  max: number = EMF_LIMITS.dimensions,
): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new TypeError(`Expected \`${name}\` to be an object of dimension name → value`);
  const entries = Object.entries(value);
  if (entries.length > max)
    throw new RangeError(
      `Expected \`${name}\` to have at most ${max} dimensions${max < EMF_LIMITS.dimensions ? ` (EMF allows ${EMF_LIMITS.dimensions}, ${EMF_LIMITS.dimensions - max} taken)` : ''}, got ${entries.length}`,
    );
  for (const [key, v] of entries) {
    checkName(`${name} key ${JSON.stringify(key)}`, key, true);
    if (key === '_aws' || reserved.includes(key))
      throw new TypeError(
        `Expected \`${name}\` not to use the name \`${key}\`: it is taken by a metric or by EMF itself`,
      );
    checkDimensionValue(`${name}.${key}`, v);
  }
  return { ...(value as Record<string, string>) };
}

/** Checks a unit against the CloudWatch list. */
export function checkUnit(name: string, value: unknown): EmfUnit {
  if (value === undefined) return 'None';
  if (!EMF_UNITS.includes(value as EmfUnit))
    throw new TypeError(
      `Expected \`${name}\` to be a CloudWatch unit (${EMF_UNITS.join(', ')}), got ${describe(value)}`,
    );
  return value as EmfUnit;
}

/** Checks a metric value: finite, within ±2^360 (NaN and Infinity are refused). */
export function checkValue(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value) > EMF_LIMITS.maxValue)
    throw new RangeError(
      `Expected \`${name}\` to be a finite number within ±2^360, got ${describe(value)}`,
    );
  return value;
}

/**
 * A runtime value (a function name from a context, say) made into a dimension value
 * CloudWatch keeps: non-ASCII and control characters become `_`, the length is capped,
 * and a blank value becomes `unknown`.
 */
export function toDimensionValue(value: unknown): string {
  const text = String(value ?? '')
    .replace(/[^\x20-\x7e]/g, '_')
    .slice(0, EMF_LIMITS.dimensionValueLength);
  return text.trim() === '' ? 'unknown' : text;
}
