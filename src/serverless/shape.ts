/**
 * What every handler shape provides (shapes.ts tells them apart; shape-node.ts is Node's):
 * the platform's context and event, how the handler is called, when it is done, and how
 * its outcome becomes the platform's answer.
 */

/** How the platform called. */
export type ShapeKind = 'lambda' | 'stream' | 'fetch' | 'node';

/** A handler, as a shape calls it. */
export type AnyHandler = (...args: unknown[]) => unknown;

/** The outcome a shape turns into the platform's answer. */
export type Settled = { ok: true; value: unknown } | { ok: false; error: unknown };

/** One invocation as its platform made it. */
export interface Shape {
  readonly kind: ShapeKind;
  /** The object whose facts and budget are read (Lambda's, Azure's or Netlify's context). */
  readonly context: unknown;
  /** What `onTimeout` receives: the event, the request. */
  readonly event: unknown;
  /** Reads a request header (HTTP shapes; undefined for the others). */
  header(name: string): string | undefined;
  /** True when the platform may carry its request id in a header. */
  readonly http: boolean;
  /** The event as the diagnostic records it. */
  record(): unknown;
  /** Work before the handler runs (a request body's prefix); never rejects. */
  prepare(): Promise<void> | undefined;
  /** The handler's arguments, the tools in their place. */
  args(handler: AnyHandler, tools: unknown, context: unknown): unknown[];
  /** When the handler is done: its promise, and for Node also the end of the response. */
  completion(result: Promise<unknown>): Promise<unknown>;
  /** Turns the outcome into the platform's answer; `viaCallback`: the handler settled through its callback. */
  answer(settled: Settled, timedOut: boolean, viaCallback: boolean): Promise<unknown>;
}

/** The value of a settled outcome, or its error thrown. */
export function unwrap(s: Settled): unknown {
  if (s.ok) return s.value;
  throw s.error;
}
