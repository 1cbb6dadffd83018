/** Shapes shared by the scenario harness: clients, calls, scenarios and their figures. */
import type { UpstreamPhase } from '../upstream.js';

/** How a logical call failed: shed locally, refused by the server, timed out, network, other. */
export type FailureKind = 'shed' | 'refused' | 'timeout' | 'network' | 'other';

/** One logical call, times in ms since the run started. */
export interface CallRecord {
  startMs: number;
  endMs: number;
  ok: boolean;
  failure?: FailureKind;
}

/** What a client factory knows: where to call, who it is, and what its user would know. */
export interface ClientContext {
  origin: string;
  /** Sent as `x-bench-client`, so the upstream counts per client. */
  clientId: string;
  /** The provider's documented limit, when the scenario has one (req/s). */
  capacity?: number;
  /** How long the caller waits for a logical call, retries included. */
  deadlineMs: number;
}

/** One client under test: a logical GET that resolves on a 2xx and throws otherwise. */
export interface BenchClient {
  call(path: string, signal: AbortSignal): Promise<void>;
  close?(): void | Promise<void>;
  /** The client's own view at the end of a run (selfheal: `api.health()`), kept in the JSON. */
  diagnostics?(): unknown;
}

export interface ClientSpec {
  id: string;
  label: string;
  /** The configuration, as the table's footnote shows it. */
  config: string;
  create(ctx: ClientContext): BenchClient | Promise<BenchClient>;
}

export type ScenarioId = 'overload' | 'outage' | 'flaky' | 'rate-limit' | 'overhead';

/** Tunable load and duration of a scenario; every key is a CLI flag `--<scenario>-<key>`. */
export type ScenarioParams = Record<string, number>;

/** A stretch of a run with one upstream behaviour. */
export interface TimedPhase {
  name: string;
  durationMs: number;
  phase: UpstreamPhase;
}

export interface ScenarioSpec {
  id: ScenarioId;
  title: string;
  summary: string;
  defaults: ScenarioParams;
  quick: ScenarioParams;
  /** The provider's capacity (req/s), goodput's reference; undefined if unlimited. */
  capacity(params: ScenarioParams): number | undefined;
  /** Whether the capacity is documented, so a tuned client may be told it (not when only headers say it). */
  documented: boolean;
  /** Open-loop arrival rate (req/s); the overhead scenario is closed-loop instead. */
  rate(params: ScenarioParams): number;
  phases(params: ScenarioParams): TimedPhase[];
}

/** The figures of one client in one scenario; names match scenarios.json and the tables. */
export interface ClientFigures {
  client: string;
  label: string;
  calls: number;
  successes: number;
  successRate: number;
  failedShed: number;
  failedRefused: number;
  failedTimeout: number;
  failedNetwork: number;
  failedOther: number;
  /** Successes completed within the load window per second ÷ capacity (or offered rate). */
  goodput: number;
  /** Requests the upstream received from this client. */
  serverRequests: number;
  /** 2xx answers the upstream sent this client (≥ successes: a late answer may meet an aborted call). */
  serverOk: number;
  /** serverRequests ÷ successes; null with no success. */
  amplification: number | null;
  throttled429: number;
  serverErrors: number;
  /** Requests that reached the upstream while it was down; null outside the outage scenario. */
  outageRequests: number | null;
  /** From the outage's end to the first success of a call started after it; null if none. */
  recoveryMs: number | null;
  /** Most requests the upstream saw in one second after the outage (a herd released at once); outage only. */
  recoveryPeakRps: number | null;
  p50Ms: number | null;
  p99Ms: number | null;
  /** p50 ÷ bare ky's p50 (overhead scenario only). */
  overheadRatio: number | null;
  /** Requests the upstream received per second. */
  serverPerSecond: number[];
  /** The client's own view at the end of the run, when it has one (selfheal's health()). */
  diagnostics?: unknown;
}

export interface ScenarioResult {
  id: ScenarioId;
  title: string;
  summary: string;
  params: ScenarioParams;
  capacity: number | null;
  offeredRps: number | null;
  clients: Record<string, ClientFigures>;
}

export interface BenchResults {
  generatedAt: string;
  quick: boolean;
  deadlineMs: number;
  environment: Record<string, string>;
  clients: Record<string, { label: string; config: string }>;
  scenarios: Partial<Record<ScenarioId, ScenarioResult>>;
}
