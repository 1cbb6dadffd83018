/**
 * Special objects as the plain data that stands for them (an Error as its serialised
 * form, a Date as ISO text, a Map as an object, bytes as a size), and property reads
 * that survive hostile getters. Used by redaction before walking a value.
 */
import { read, UNREADABLE } from './props.js';
import { serializeError } from './serialize-error.js';

/** Turns a special object into plain data; other objects are returned as they are. */
export function toPlain(value: object): unknown {
  if (value instanceof Error) return serializeError(value);
  if (value instanceof Date)
    return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (value instanceof RegExp || value instanceof URL) return String(value);
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer)
    return `[BINARY: ${value.byteLength} bytes]`;
  if (value instanceof Map)
    return Object.fromEntries([...value.entries()].map(([k, v]) => [String(k), v]));
  if (value instanceof Set) return [...value];
  if (value instanceof Promise || value instanceof WeakMap || value instanceof WeakSet)
    return `[${value.constructor.name}]`;
  const toJSON = read(value, 'toJSON');
  if (typeof toJSON === 'function') {
    try {
      return toJSON.call(value);
    } catch {
      return UNREADABLE;
    }
  }
  return value;
}
