/**
 * On failure, returns a fallback value instead, and reports a `fallback` event saying
 * which error was masked: the outcome is degraded, not silently fine.
 */
import {
  BasePolicy,
  contextOf,
  type ExecuteOptions,
  invoke,
  type Operation,
  type PolicyOptions,
} from './policy.js';
import { functionOption } from './validate.js';

export interface FallbackOptions extends PolicyOptions {
  /** Which errors the fallback may mask. @default every error but an abort */
  shouldHandle?: (error: unknown) => boolean;
}

/** A fallback value, or a function of the error that produces one. */
export type FallbackValue<T> = T | ((error: unknown) => T | PromiseLike<T>);

/** A fallback policy. */
export class FallbackPolicy<F> extends BasePolicy {
  readonly kind = 'fallback';
  readonly #value: FallbackValue<F>;
  readonly #shouldHandle: (error: unknown) => boolean;

  constructor(value: FallbackValue<F>, options: FallbackOptions = {}) {
    super(options);
    this.#value = value;
    this.#shouldHandle = functionOption(
      'shouldHandle',
      options.shouldHandle,
      (e: unknown) => (e as Error)?.name !== 'AbortError',
    );
  }

  async execute<T>(fn: Operation<T>, options?: ExecuteOptions): Promise<T> {
    const ctx = contextOf(options);
    try {
      return await invoke(fn, ctx);
    } catch (error) {
      if (!this.#shouldHandle(error)) throw error;
      const value = this.#value;
      const result =
        typeof value === 'function'
          ? await (value as (e: unknown) => F | PromiseLike<F>)(error)
          : value;
      this.emit('fallback', { error, degraded: true });
      // The fallback stands in for the operation's result; its type is the caller's promise.
      return result as unknown as T;
    }
  }
}

/** Creates a {@link FallbackPolicy}: `fallback([])`, `fallback((error) => cached)`. */
export function fallback<F>(value: FallbackValue<F>, options?: FallbackOptions): FallbackPolicy<F> {
  return new FallbackPolicy(value, options);
}
