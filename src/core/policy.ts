/**
 * The one policy contract and its composition. A policy wraps an async operation:
 * `execute(fn, { signal })`, where `fn` receives `{ signal, attempt, deadline }`.
 * `pipeline(a, b, c)` nests them, `a` outermost, into one policy.
 */
import { type Clock, systemClock } from './clock.js';
import {
  type CoreEventMap,
  type Disposer,
  EventHub,
  type EventOf,
  type SelfhealEvent,
} from './events.js';
import { NEVER_ABORTED } from './signal.js';

/** What the operation (and every inner policy) receives. Frozen per attempt. */
export interface AttemptContext {
  /** Aborts when the caller, a timeout or a deadline cancels this attempt. */
  readonly signal: AbortSignal;
  /** 1 for the first attempt, 2 for the first retry, … */
  readonly attempt: number;
  /** Clock time by which the whole operation must end, when a deadline policy set one. */
  readonly deadline?: number;
}

/** Options of one execution. */
export interface ExecuteOptions {
  /** Cancels the operation, including any throttle wait or backoff sleep. */
  signal?: AbortSignal;
  /** @internal Carried between nested policies. */
  attempt?: number;
  /** @internal Carried between nested policies. */
  deadline?: number;
}

/** The operation a policy runs. */
export type Operation<T> = (context: AttemptContext) => T | PromiseLike<T>;

/** Every policy: one execute method and typed events. */
export interface Policy {
  /** The policy kind (`retry`, `circuit-breaker`, …, `pipeline`). */
  readonly kind: string;
  /** The policy's events; a pipeline forwards the events of every policy in it. */
  readonly events: EventHub<CoreEventMap>;
  execute<T>(fn: Operation<T>, options?: ExecuteOptions): Promise<T>;
  onEvent(listener: (event: SelfhealEvent) => void): Disposer;
  on<K extends keyof CoreEventMap & string>(
    type: K,
    listener: (event: EventOf<K>) => void,
  ): Disposer;
}

/** Options every policy takes. */
export interface PolicyOptions {
  /** Time source. @default systemClock */
  clock?: Clock;
}

/** Shared plumbing of the built-in policies: the event hub and the context helper. */
export abstract class BasePolicy implements Policy {
  abstract readonly kind: string;
  readonly events = new EventHub<CoreEventMap>();
  protected readonly clock: Clock;

  constructor(options?: PolicyOptions) {
    this.clock = options?.clock ?? systemClock;
  }

  abstract execute<T>(fn: Operation<T>, options?: ExecuteOptions): Promise<T>;

  onEvent(listener: (event: SelfhealEvent) => void): Disposer {
    return this.events.onEvent(listener);
  }

  on<K extends keyof CoreEventMap & string>(
    type: K,
    listener: (event: EventOf<K>) => void,
  ): Disposer {
    return this.events.on(type, listener);
  }

  /** Emits `{ type, source: kind, at: now, ...payload }` only if someone listens. */
  protected emit<K extends keyof CoreEventMap & string>(type: K, payload: CoreEventMap[K]): void {
    if (!this.events.listening) return;
    this.events.emit({
      type,
      source: this.kind,
      at: this.clock.now(),
      ...payload,
    } as SelfhealEvent);
  }
}

/** Builds the context an operation receives from the options of an execution. */
export function contextOf(
  options: ExecuteOptions | undefined,
  overrides?: Partial<AttemptContext>,
): AttemptContext {
  return {
    signal: overrides?.signal ?? options?.signal ?? NEVER_ABORTED,
    attempt: overrides?.attempt ?? options?.attempt ?? 1,
    deadline: overrides?.deadline ?? options?.deadline,
  };
}

/** Runs `fn` and always returns a promise, turning a synchronous throw into a rejection. */
export function invoke<T>(fn: Operation<T>, context: AttemptContext): Promise<T> {
  try {
    return Promise.resolve(fn(context));
  } catch (error) {
    return Promise.reject(error);
  }
}

/** Options of {@link pipeline}. */
export interface PipelineOptions extends PolicyOptions {}

class Pipeline extends BasePolicy {
  readonly kind = 'pipeline';
  readonly #run: <T>(fn: Operation<T>, options?: ExecuteOptions) => Promise<T>;

  constructor(policies: readonly Policy[], options?: PipelineOptions) {
    super(options);
    for (const policy of policies) policy.events.forwardTo(this.events);
    this.#run = policies.reduceRight<<T>(fn: Operation<T>, options?: ExecuteOptions) => Promise<T>>(
      (inner, policy) => (fn, options) => policy.execute((ctx) => inner(fn, ctx), options),
      (fn, options) => {
        const ctx = contextOf(options);
        // Nobody listening (the usual case): no wrapper around the operation at all.
        return this.events.listening ? invoke((c) => this.#observe(fn, c), ctx) : invoke(fn, ctx);
      },
    );
  }

  execute<T>(fn: Operation<T>, options?: ExecuteOptions): Promise<T> {
    return this.#run(fn, options);
  }

  /** Reports attempt / success / failure around each call of the operation itself. */
  #observe<T>(fn: Operation<T>, ctx: AttemptContext): Promise<T> {
    const start = this.clock.now();
    this.emit('attempt', { attempt: ctx.attempt });
    return invoke(fn, ctx).then(
      (value) => {
        this.emit('success', { attempt: ctx.attempt, durationMs: this.clock.now() - start });
        return value;
      },
      (error: unknown) => {
        this.emit('failure', { attempt: ctx.attempt, durationMs: this.clock.now() - start, error });
        throw error;
      },
    );
  }
}

/**
 * Composes policies outer → inner into one policy. Recommended order:
 * fallback ▸ deadline ▸ retry ▸ circuitBreaker ▸ throttle ▸ bulkhead ▸ timeout.
 * The pipeline's events include those of every policy in it, plus `attempt`,
 * `success` and `failure` for each call of the operation.
 */
export function pipeline(...policies: Policy[]): Policy {
  for (const [i, policy] of policies.entries()) {
    if (!policy || typeof policy.execute !== 'function') {
      throw new TypeError(
        `Expected \`policies[${i}]\` to be a policy (an object with execute()), got ${typeof policy}`,
      );
    }
  }
  return new Pipeline(policies);
}
