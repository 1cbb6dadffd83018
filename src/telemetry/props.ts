/**
 * Reading and writing properties of untrusted objects: a getter that throws must not turn
 * a diagnostic into a second failure, and a key named `__proto__` is data, not a prototype.
 */

/** Stands for what could not be read. */
export const UNREADABLE = '[UNREADABLE]';

/** Reads a property; a getter that throws gives `[UNREADABLE]`. */
export function read(target: object, key: string): unknown {
  try {
    return (target as Record<string, unknown>)[key];
  } catch {
    return UNREADABLE;
  }
}

/** `String(value)`, or `fallback` for null and undefined; a value that cannot be a string gives `[UNREADABLE]`. */
export function text(value: unknown, fallback: string): string {
  if (value === undefined || value === null) return fallback;
  try {
    return String(value);
  } catch {
    return UNREADABLE;
  }
}

/** `out[key] = value`, except that `__proto__` becomes an own property instead of the prototype. */
export function define(out: object, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(out, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  else (out as Record<string, unknown>)[key] = value;
}
