/** Shapes shared by the scenario harness: clients, calls, scenarios and their figures. */
import type { UpstreamPhase } from '../upstream.js';

/** How a logical call failed: shed locally, refused by the server, timed out, network, other. */
export type FailureKind = 'shed' | 'refused' | 'timeout' | 'network' | 'other';

/** One logical call, times in ms since the run started. */
export interface CallRecord {
  startMs: number;
  /** When the caller saw it end: the client settled, or the caller's deadline fired. */
  endMs: number;
  /** When the client's own promise settled (it may outlive the caller's deadline); null if not within the grace after it. */
  settledMs: number | null;
  ok: boolean;
  failure?: FailureKind;
  /** Which wave of a burst load the call belonged to (0-based). */
  wave?: number;
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
  /**
   * The total timeout the scenario asks every client to set itself (storm, first burst):
   * selfheal's and ky's `totalTimeout`, an `AbortSignal.timeout()` for the others. The
   * caller's own signal then fires a little later, as a backstop.
   */
  totalTimeoutMs?: number;
  /** The per-attempt timeout the scenario asks for (metastable). */
  attemptTimeoutMs?: number;
  /** The retry limit the scenario asks for (first burst), where the client has one. */
  retryLimit?: number;
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

export type ScenarioId =
  | 'overload'
  | 'storm'
  | 'first-burst'
  | 'outage'
  | 'outage-5s'
  | 'metastable'
  | 'flaky'
  | 'rate-limit'
  | 'limiter-erl-draft8'
  | 'limiter-erl-draft6'
  | 'limiter-erl-epoch'
  | 'limiter-fastify'
  | 'limiter-nginx'
  | 'limiter-haproxy'
  | 'overhead';

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
  /**
   * 'open': arrivals at `rate` req/s for the phases' total length; 'burst': `concurrency`
   * calls at once, `waves` times, each wave `gapMs` after the previous one settled;
   * 'closed': one call at a time (overhead).
   */
  load: 'open' | 'burst' | 'closed';
  /** The provider's capacity (req/s), goodput's reference; undefined if unlimited. */
  capacity(params: ScenarioParams): number | undefined;
  /** Whether the capacity is documented, so a tuned client may be told it (not when only headers say it). */
  documented: boolean;
  /** Open-loop arrival rate (req/s); 0 for the other loads. */
  rate(params: ScenarioParams): number;
  /** The upstream's phases in order; with a burst load the last one lasts until every call settled. */
  phases(params: ScenarioParams): TimedPhase[];
  /** The clients that run it, by id. @default DEFAULT_CLIENT_IDS */
  clients?: readonly string[];
  /** What the scenario asks every client to set (total / attempt timeout, retry limit). */
  settings?(
    params: ScenarioParams,
  ): Pick<ClientContext, 'totalTimeoutMs' | 'attemptTimeoutMs' | 'retryLimit'>;
  /** Phases the figures look at: the outage (recovery figures), the trigger (metastable). */
  marks?: { outage?: string; trigger?: string };
  /** A request handler the upstream delegates to (a real rate-limiter package), fresh per client run. */
  app?(params: ScenarioParams): Promise<{
    handler: NonNullable<UpstreamPhase['handler']>;
    close(): Promise<void>;
  }>;
}

/** One wave of a burst load. */
export interface WaveFigures {
  calls: number;
  successes: number;
  serverRequests: number;
  /** serverRequests ÷ successes; null with no success. */
  amplification: number | null;
  /** From the wave's start until its last call settled. */
  durationMs: number;
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
  /** Successes completed within the load window per second ÷ capacity (or offered rate); null with a burst load. */
  goodput: number | null;
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
  /** From the outage's end to the first success after it (any call); null if none or no outage. */
  recoveryMs: number | null;
  /**
   * From the outage's end to full goodput: the start of the first 500 ms from which on
   * every 500 ms of the load window completed ≥ 0.9 × the offered rate of successes
   * (never before the first success); null if never, or no outage.
   */
  fullGoodputMs: number | null;
  /** The recovered server's busiest 250 ms after the outage, as a multiple of the offered rate. */
  herd250ms: number | null;
  /** The recovered server's busiest 1 s (sliding by 250 ms) after the outage, as a multiple of the offered rate. */
  herd1s: number | null;
  /** Successes completed in each second after the trigger ÷ the offered rate (metastable only). */
  goodputAfter: number[] | null;
  /** Per wave of a burst load; null otherwise. */
  waves: WaveFigures[] | null;
  /** Calls whose client settled more than 200 ms after their deadline (or not within the grace after it). */
  lateCalls: number;
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
  /** The deadline each call had (the total timeout told to the clients, or the caller's). */
  deadlineMs: number;
  /** What the scenario asked every client to set, if anything. */
  settings: Record<string, number>;
  /** Whether the clients ran side by side (each against its own upstream) or turn by turn. */
  parallel: boolean;
  /** When this scenario ran, and on which selfheal (a subset run keeps others' results). */
  ranAt?: string;
  selfheal?: string;
  clients: Record<string, ClientFigures>;
}

export interface BenchResults {
  generatedAt: string;
  quick: boolean;
  /** The caller's deadline for scenarios that set none of their own. */
  deadlineMs: number;
  /** How long the run took, warm-up included (a subset run: its own). */
  wallTimeS?: number;
  environment: Record<string, string>;
  clients: Record<string, { label: string; config: string }>;
  scenarios: Partial<Record<ScenarioId, ScenarioResult>>;
}
