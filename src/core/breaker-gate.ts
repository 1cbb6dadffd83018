/**
 * opossum as the circuit breaker's state machine, through its public API only: it holds
 * the state (closed, open, half-open), `fire()` rejects calls while open and admits the
 * one probe while half-open, `open()` / `close()` move it, and its events report each
 * move. The policy keeps the counts and decides every move itself.
 *
 * opossum has no public way to half-open at a moment of the caller's choosing — only its
 * own `setTimeout(resetTimeout)` after opening, on the wall clock. So `halfOpen()` starts
 * the next opossum breaker in its documented restore state (`state: { halfOpen: true }`,
 * README "Breaker State Initialization") and shuts the open one down; opossum's own reset
 * timer is set beyond any probe interval and cleared by that shutdown.
 */
import CircuitBreaker from 'opossum';
import type { BreakerState } from './breaker-state.js';
import type { AttemptContext, Operation } from './policy.js';

/** Longest delay `setTimeout` honours (2³¹ − 1 ms, ~24.8 days); longer ones fire at once. */
export const MAX_TIMER_MS = 2_147_483_647;

/** Runs a call that opossum admitted; `probe` identifies the breaker that admitted it. */
export type GatedRun = (
  fn: Operation<unknown>,
  ctx: AttemptContext,
  probe: object,
) => Promise<unknown>;

/** What the gate reports: opossum's `open`, `close` and `halfOpen` events. */
export interface GateListeners {
  open(): void;
  close(): void;
  halfOpen(): void;
}

type Action = (fn: Operation<unknown>, ctx: AttemptContext) => Promise<unknown>;
type Opossum = CircuitBreaker<Parameters<Action>, unknown>;

/** The circuit's state, held by opossum. */
export class BreakerGate {
  readonly #run: GatedRun;
  readonly #listeners: GateListeners;
  /** opossum's rotation hook, never fired: its own counts are not read, and so cost no timer. */
  readonly #rotation = idleRotation();
  #breaker: Opossum;

  constructor(run: GatedRun, listeners: GateListeners, state: BreakerState) {
    this.#run = run;
    this.#listeners = listeners;
    this.#breaker = this.#make(state);
  }

  get closed(): boolean {
    return this.#breaker.closed;
  }

  get halfOpen(): boolean {
    return this.#breaker.halfOpen;
  }

  /** Open, and not shut down. */
  get opened(): boolean {
    return this.#breaker.opened;
  }

  /** The state (a shut-down gate reads as open). */
  get state(): BreakerState {
    if (this.#breaker.closed) return 'closed';
    return this.#breaker.halfOpen ? 'half-open' : 'open';
  }

  /** Whether `probe` (as passed to the run) came through the breaker in charge now. */
  isCurrent(probe: object): boolean {
    return probe === this.#breaker;
  }

  /** opossum's `fire()`: rejects while open (see {@link isRejection}), admits the half-open probe. */
  fire(fn: Operation<unknown>, ctx: AttemptContext): Promise<unknown> {
    return this.#breaker.fire(fn, ctx);
  }

  open(): void {
    this.#breaker.open();
  }

  close(): void {
    this.#breaker.close();
  }

  /** From open to half-open, now. */
  toHalfOpen(): void {
    const open = this.#breaker;
    this.#breaker = this.#make('half-open');
    open.shutdown();
  }

  /** Stops the gate: every `fire()` rejects afterwards. */
  shutdown(): void {
    this.#breaker.shutdown();
  }

  #make(state: BreakerState): Opossum {
    const action: Action = (fn, ctx) => this.#run(fn, ctx, breaker);
    const breaker: Opossum = new CircuitBreaker(action, {
      timeout: false,
      // The policy half-opens on its clock; opossum's own timer waits longer than any interval.
      resetTimeout: MAX_TIMER_MS,
      // The policy judges the failures and calls open(); opossum's own rate rule stays out.
      volumeThreshold: Number.MAX_SAFE_INTEGER,
      rollingPercentilesEnabled: false,
      enableSnapshots: false,
      rotateBucketController: this.#rotation as never,
      // `state` is documented (README) but missing from @types/opossum.
      ...(state !== 'closed' && {
        state: { closed: false, open: state === 'open', halfOpen: state === 'half-open' },
      }),
    } as CircuitBreaker.Options<Parameters<Action>>);
    breaker.on('open', () => this.#listeners.open());
    breaker.on('close', () => this.#listeners.close());
    // Only when nobody looked for MAX_TIMER_MS: opossum's own timer half-opened it.
    breaker.on('halfOpen', () => this.#listeners.halfOpen());
    return breaker;
  }
}

/** opossum's refusal of a call while the circuit is open (or half-open with its probe out). */
export function isRejection(error: unknown): boolean {
  return (
    (error as { code?: string } | null)?.code === 'EOPENBREAKER' &&
    CircuitBreaker.isOurError(error as Error)
  );
}

/**
 * The EventEmitter opossum's `rotateBucketController` subscribes to, for a window that
 * never rotates: without a controller each opossum breaker would run an interval timer.
 */
function idleRotation() {
  const listeners = new Set<unknown>();
  return {
    on(_event: string, fn: unknown) {
      listeners.add(fn);
      return this;
    },
    removeListener(_event: string, fn: unknown) {
      listeners.delete(fn);
      return this;
    },
    listenerCount: (_event: string, fn?: unknown) =>
      fn === undefined ? listeners.size : Number(listeners.has(fn)),
  };
}
