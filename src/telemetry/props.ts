/**
 * Reading and writing properties of untrusted objects: a getter that throws must not turn
 * a diagnostic into a second failure, and a key named `__proto__` is data, not a prototype.
 */

/** Reads a property; a getter that throws gives `[UNREADABLE]`. */
export function read(target: object, key: string): unknown {
  try {
    return (target as Record<string, unknown>)[key];
  } catch {
    return '[UNREADABLE]';
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
