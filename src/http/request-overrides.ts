/**
 * Per-request `timeout`, `totalTimeout` and `retry`, ky's names: a ky `init` hook moves
 * them out of ky's way (ky's own loop and timers stay off) into an option ky forwards to
 * `fetch`, where the pipeline reads them.
 */
import type { Options } from 'ky';
import { optionalTimeout, type RetryRules, retryRules } from './resolve-options.js';

/** The key the overrides travel under, from the init hook to the resilient fetch. */
export const OVERRIDES = 'selfhealOverrides';

/** What one request overrides. `null` means "off" for that request. */
export interface RequestOverrides {
  timeout?: number | null;
  totalTimeout?: number | null;
  retry?: RetryRules;
}

/** The init hook; `base` are the client's retry rules a partial `retry` object builds on. */
export function overridesHook(base: RetryRules): (options: Options) => void {
  return (options) => {
    const o = options as Options & { [OVERRIDES]?: RequestOverrides };
    let overrides: RequestOverrides | undefined;
    if (o.timeout !== undefined)
      overrides = { timeout: optionalTimeout('timeout', o.timeout, undefined) ?? null };
    if (o.totalTimeout !== undefined) {
      overrides ??= {};
      overrides.totalTimeout = optionalTimeout('totalTimeout', o.totalTimeout, undefined) ?? null;
    }
    if (o.retry !== undefined) {
      overrides ??= {};
      const retry = o.retry;
      overrides.retry = retryRules(
        typeof retry === 'number' ? { limit: retry } : (retry as { limit?: number }),
        base,
      );
    }
    o.timeout = false;
    o.totalTimeout = false;
    o.retry = 0;
    if (overrides) o[OVERRIDES] = overrides;
  };
}
