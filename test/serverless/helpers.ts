import type { LambdaContextLike } from '../../src/serverless/index.js';

/** A Lambda-like context whose remaining time runs down with Date.now (fake or real). */
export function lambdaContext(
  budgetMs: number,
  overrides: Partial<LambdaContextLike> = {},
): LambdaContextLike {
  const end = Date.now() + budgetMs;
  return {
    awsRequestId: 'req-1',
    functionName: 'orders-handler',
    functionVersion: '$LATEST',
    memoryLimitInMB: '512',
    getRemainingTimeInMillis: () => end - Date.now(),
    ...overrides,
  };
}

/** A promise that never settles (and holds no timer). */
export function never<T = never>(): Promise<T> {
  return new Promise<T>(() => {});
}

/** Settles a promise into an outcome, so assertions never leave a rejection unhandled. */
export function settle<T>(promise: Promise<T>): {
  readonly result?: { ok: true; value: T } | { ok: false; error: unknown };
} {
  const box: { result?: { ok: true; value: T } | { ok: false; error: unknown } } = {};
  promise.then(
    (value) => {
      box.result = { ok: true, value };
    },
    (error: unknown) => {
      box.result = { ok: false, error };
    },
  );
  return box;
}
