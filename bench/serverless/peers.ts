/**
 * The three ways a team wraps a Lambda handler today, built the way their docs show:
 * selfheal's `instrument()`, Middy 6.4 (`middy(handler)`, its early timeout on by
 * default), and Powertools 2.36's Logger and Metrics through their Middy middlewares
 * (`injectLambdaContext(logger, { logEvent: true })` — the only way Powertools records
 * the event — and `logMetrics(metrics, { captureColdStartMetric: true })`). Every line
 * any of them writes to stdout is captured, so the bench compares what reached the logs.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { type InstrumentOptions, instrument } from '../../src/serverless/index.js';

/** A handler as each peer sees it: `(event, context, third)`; third is the tools or `{ signal }`. */
export type AnyHandler = (event: never, context: never, third: never) => unknown;
export type Wrapped = (...args: never[]) => Promise<unknown>;

/** Lines written to process.stdout while `capture` is on. */
export const captured: string[] = [];
let original: typeof process.stdout.write | undefined;

/** Starts capturing stdout (Powertools writes there through its own Console). */
export function capture(): void {
  captured.length = 0;
  if (original) return;
  original = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    for (const line of String(chunk).split('\n')) if (line !== '') captured.push(line);
    return true;
  }) as typeof process.stdout.write;
}

/** Stops capturing. */
export function release(): void {
  if (original) process.stdout.write = original;
  original = undefined;
}

/** One peer: a name and how it wraps a handler. */
export interface Peer {
  name: string;
  wrap(
    handler: AnyHandler,
    options?: { streaming?: boolean; selfheal?: InstrumentOptions },
  ): Wrapped;
}

export const selfheal: Peer = {
  name: 'selfheal',
  wrap: (handler, o = {}) =>
    instrument(handler as never, { advice: false, metrics: true, ...o.selfheal }) as Wrapped,
};

export const middyPeer: Peer = {
  name: 'Middy 6.4',
  wrap: (handler, o = {}) =>
    middy(handler as never, o.streaming ? { streamifyResponse: true } : {}) as unknown as Wrapped,
};

export const powertools: Peer = {
  name: 'Powertools 2.36 (+ Middy)',
  wrap: (handler, o = {}) => {
    const logger = new Logger({ serviceName: 'orders' });
    const metrics = new Metrics({ namespace: 'bench', serviceName: 'orders' });
    const inner = async (event: never, context: never, third: never) => {
      metrics.addMetric('Invocations', MetricUnit.Count, 1);
      return (handler as (e: never, c: never, t: never) => unknown)(event, context, third);
    };
    return middy(inner, o.streaming ? { streamifyResponse: true } : {})
      .use(injectLambdaContext(logger, { logEvent: true }))
      .use(logMetrics(metrics, { captureColdStartMetric: true })) as unknown as Wrapped;
  },
};

export const PEERS: readonly Peer[] = [selfheal, middyPeer, powertools];
