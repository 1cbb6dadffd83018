/**
 * The OpenTelemetry HTTP semantic conventions for selfheal/http, through the client's
 * per-attempt hook (`onAttempt`): a CLIENT span per attempt (each physical request; resends
 * carry `http.request.resend_count`), the W3C trace context injected through the API's
 * propagation (a no-op unless a propagator is registered), and the
 * `http.client.request.duration` histogram. Typed structurally, as the rest of the bridge:
 * telemetry never imports http, and nothing here needs `@opentelemetry/api` at type level.
 */
import { errorType, type OtelSpan } from './otel-traced.js';

type Attributes = Record<string, string | number | boolean>;

/** The part of the `@opentelemetry/api` module the bridge uses for context and propagation. */
export interface OtelApi {
  context: { active(): unknown };
  trace: {
    getSpan(context: unknown): OtelSpan | undefined;
    setSpan(context: unknown, span: OtelSpan): unknown;
  };
  propagation: {
    inject(
      context: unknown,
      carrier: Headers,
      setter: { set(carrier: Headers, key: string, value: string): void },
    ): void;
  };
}

/** A tracer that can start a span of a given kind under a given parent. */
export interface OtelSpanStarter {
  startSpan(
    name: string,
    options: { kind?: number; attributes?: Attributes },
    context?: unknown,
  ): OtelSpan;
}

/** What the hook sees of an attempt (selfheal/http's `AttemptStart`, structurally). */
export interface HttpAttempt {
  readonly request: Request;
  readonly origin: string;
  readonly attempt: number;
}

/** How an attempt ended (selfheal/http's `AttemptOutcome`, structurally). */
export interface HttpAttemptOutcome {
  readonly status?: number;
  readonly error?: unknown;
  readonly durationMs: number;
}

/** selfheal/http's `onAttempt` hook, structurally. */
export type HttpAttemptHook = (
  attempt: HttpAttempt,
) => ((outcome: HttpAttemptOutcome) => void) | undefined;

/** `server.address` and `server.port` of an origin. */
export interface Server {
  address: string;
  port: number;
}

const SPAN_KIND_CLIENT = 2;
const STATUS_ERROR = 2;
const METHODS = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PATCH',
  'QUERY',
]);
const SETTER = { set: (carrier: Headers, key: string, value: string) => carrier.set(key, value) };
/** The convention's advised buckets for `http.client.request.duration`, seconds. */
export const DURATION_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
];

/** The hook: spans with `tracer` (when it can start one), trace context with `api`, durations into `duration`. */
export function httpAttemptHook(options: {
  tracer: OtelSpanStarter | undefined;
  api: OtelApi | undefined;
  duration: { record(value: number, attributes?: Attributes): void } | undefined;
  server(origin: string): Server;
}): HttpAttemptHook {
  const { tracer, api, duration, server } = options;
  return ({ request, origin, attempt }) => {
    const { address, port } = server(origin);
    const known = METHODS.has(request.method);
    const method = known ? request.method : '_OTHER';
    const metric: Attributes = {
      'http.request.method': method,
      'server.address': address,
      'server.port': port,
    };
    let span: OtelSpan | undefined;
    if (tracer) {
      const attributes: Attributes = { ...metric, 'url.full': redactedUrl(request.url) };
      if (!known) attributes['http.request.method_original'] = request.method;
      if (attempt > 1) attributes['http.request.resend_count'] = attempt - 1;
      const parent = api?.context.active();
      span = tracer.startSpan(
        known ? method : 'HTTP',
        { kind: SPAN_KIND_CLIENT, attributes },
        parent,
      );
      if (api) api.propagation.inject(api.trace.setSpan(parent, span), request.headers, SETTER);
    }
    return ({ status, error, durationMs }) => {
      if (status !== undefined) metric['http.response.status_code'] = status;
      // The convention's error.type: the status of a 4xx/5xx answer, else the error's type.
      const type =
        status !== undefined && status >= 400
          ? String(status)
          : error !== undefined
            ? errorType(error)
            : undefined;
      if (type !== undefined) metric['error.type'] = type;
      if (span) {
        if (status !== undefined) span.setAttribute('http.response.status_code', status);
        if (type !== undefined) {
          span.setAttribute('error.type', type);
          // The type only: messages can hold secrets, and spans leave the process unredacted.
          span.setStatus({ code: STATUS_ERROR, message: type });
        }
        span.end();
      }
      duration?.record(durationMs / 1000, metric);
    };
  };
}

/** Origins whose server.address/port a cache remembers (then it starts over). */
const MAX_SERVERS = 1024;

/** {@link serverOf}, remembered for up to {@link MAX_SERVERS} origins. */
export function serverCache(): (origin: string) => Server {
  const servers = new Map<string, Server>();
  return (origin) => {
    let known = servers.get(origin);
    if (!known) {
      if (servers.size >= MAX_SERVERS) servers.clear();
      known = serverOf(origin);
      servers.set(origin, known);
    }
    return known;
  };
}

/** `scheme://host:port` → `server.address` (IPv6 without brackets) and `server.port` (default ports filled in). */
export function serverOf(origin: string): Server {
  const scheme = origin.indexOf('://');
  const authority = scheme === -1 ? origin : origin.slice(scheme + 3);
  const colon = authority.lastIndexOf(':');
  const explicit =
    colon > authority.lastIndexOf(']') ? Number(authority.slice(colon + 1)) : Number.NaN;
  const host = Number.isInteger(explicit) ? authority.slice(0, colon) : authority;
  const address = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const port = Number.isInteger(explicit) ? explicit : origin.startsWith('https:') ? 443 : 80;
  return { address, port };
}

/** The URL with every query value replaced by `REDACTED` (names kept; bare parameters redacted) and no fragment. */
export function redactedUrl(url: string): string {
  const hash = url.indexOf('#');
  const whole = hash === -1 ? url : url.slice(0, hash);
  const q = whole.indexOf('?');
  if (q === -1) return whole;
  const query = whole
    .slice(q + 1)
    .split('&')
    .map((part) => {
      const eq = part.indexOf('=');
      return eq === -1 ? (part === '' ? '' : 'REDACTED') : `${part.slice(0, eq)}=REDACTED`;
    })
    .join('&');
  return `${whole.slice(0, q)}?${query}`;
}
