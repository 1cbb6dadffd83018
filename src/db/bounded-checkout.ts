/**
 * A checkout that opens a connection ends by the caller's deadline or signal: the
 * driver's connect may wait for the OS (pg has no connect timeout by default, and a
 * server that drops packets leaves a SYN unanswered for minutes). Past it, the caller
 * gets its error at once; the attempt keeps its slot until it ends, and then cleans up
 * (a connection made late goes back to the pool).
 */
import { abortReason, type Clock } from '../core/internal.js';
import type { Ticket } from './admission.js';

/** A caller gave up on a checkout still in flight; `error` is what it gets. */
export class Abandoned {
  constructor(readonly error: unknown) {}
}

/** What happens when the caller gives up, and when the abandoned attempt ends. */
export interface Late<C> {
  /** The error for a caller past its deadline. */
  timedOut(): unknown;
  connectedLate(connection: C): void;
  failedLate(error: unknown): void;
}

/** `checkout`, rejecting with {@link Abandoned} once `ticket`'s deadline passes or its signal aborts. */
export function bounded<C>(
  checkout: Promise<C>,
  ticket: Ticket,
  clock: Clock,
  late: Late<C>,
): Promise<C> {
  return new Promise<C>((resolve, reject) => {
    let gaveUp = false;
    const signal = ticket.signal;
    const stop = () => {
      cancel();
      signal?.removeEventListener('abort', onAbort);
    };
    const giveUp = (error: unknown) => {
      if (gaveUp) return;
      gaveUp = true;
      stop();
      reject(new Abandoned(error));
    };
    const onAbort = () => giveUp(abortReason(signal!));
    const cancel = clock.setTimer(
      () => giveUp(late.timedOut()),
      Math.max(0, ticket.deadline - clock.now()),
    );
    signal?.addEventListener('abort', onAbort, { once: true });
    checkout.then(
      (connection) => {
        if (gaveUp) return late.connectedLate(connection);
        stop();
        resolve(connection);
      },
      (error: unknown) => {
        if (gaveUp) return late.failedLate(error);
        stop();
        reject(error);
      },
    );
  });
}
