/**
 * Quota headers: the IETF draft `RateLimit` / `RateLimit-Policy` fields (both the
 * dictionary form `limit=100, remaining=5, reset=30` and the newer list form
 * `"default";r=5;t=30` with `"default";q=100;w=60`), the older `RateLimit-Limit`,
 * `-Remaining`, `-Reset` triple, and `X-RateLimit-*`. Malformed values are ignored.
 */
import { MAX_SERVER_DELAY_MS } from './retry-after.js';

/** What a response says about the caller's quota. */
export interface Quota {
  /** Requests left in the current window. */
  remaining: number;
  /** Time until the window resets, ms. */
  resetMs: number;
  /** Requests allowed per window, when advertised. */
  limit?: number;
  /** Window length, ms, when advertised. */
  windowMs?: number;
}

type Params = Map<string, string>;
type Member = { name: string; params: Params };

const MAX_MEMBERS = 64;
const MAX_PARAMS = 16;

/** Reads the quota a response advertises, or `undefined` when it advertises none (or garbage). */
export function parseQuota(headers: Headers, nowMs: number): Quota | undefined {
  return (
    fromRateLimitField(headers) ??
    fromTriple(headers, 'ratelimit-', nowMs) ??
    fromTriple(headers, 'x-ratelimit-', nowMs)
  );
}

function fromRateLimitField(headers: Headers): Quota | undefined {
  const field = headers.get('ratelimit');
  if (!field) return undefined;
  const members = parseList(field);
  const policies = parseList(headers.get('ratelimit-policy') ?? '');
  // Built once, not searched per member: headers are the server's, and may be hostile.
  const byName = new Map<string, Member>();
  for (const policy of policies) if (!byName.has(policy.name)) byName.set(policy.name, policy);
  // List form: one member per policy, `r` and `t` parameters; the tightest one wins.
  let best: Quota | undefined;
  for (const { name, params } of members) {
    const remaining = count(params.get('r'));
    const resetMs = seconds(params.get('t'));
    if (remaining === undefined || resetMs === undefined) continue;
    const policy = byName.get(name) ?? (members.length === 1 ? policies[0] : undefined);
    const quota = withPolicy(
      { remaining, resetMs },
      policy?.params.get('q'),
      policy?.params.get('w'),
    );
    if (!best || quota.remaining < best.remaining) best = quota;
  }
  if (best) return best;
  // Dictionary form (drafts ≤ 07): `limit=…, remaining=…, reset=…`.
  const dict: Params = new Map();
  for (const { name, params } of members) {
    if (name.includes('=')) {
      const [key, raw] = name.split('=', 2) as [string, string];
      dict.set(key.trim().toLowerCase(), raw.trim());
    }
    for (const [k, v] of params) dict.set(k, v);
  }
  const remaining = count(dict.get('remaining'));
  const resetMs = seconds(dict.get('reset'));
  if (remaining === undefined || resetMs === undefined) return undefined;
  const policy = policies[0];
  return withPolicy(
    { remaining, resetMs },
    dict.get('limit') ?? policy?.name.split(';')[0],
    policy?.params.get('w'),
  );
}

function fromTriple(headers: Headers, prefix: string, nowMs: number): Quota | undefined {
  const remaining = count(headers.get(`${prefix}remaining`));
  const rawReset = headers.get(`${prefix}reset`);
  if (remaining === undefined || rawReset === null) return undefined;
  let resetMs = seconds(rawReset);
  // `X-RateLimit-Reset` is often a Unix time (GitHub): seconds since the epoch.
  if (resetMs === undefined && /^\d{9,11}$/.test(rawReset.trim()))
    resetMs = clampReset(Number(rawReset) * 1000 - nowMs);
  if (resetMs === undefined) return undefined;
  return withPolicy({ remaining, resetMs }, headers.get(`${prefix}limit`) ?? undefined, undefined);
}

function withPolicy(quota: Quota, limit: string | undefined, window: string | undefined): Quota {
  const l = count(limit);
  const w = seconds(window);
  if (l !== undefined && l > 0 && l >= quota.remaining) quota.limit = l;
  if (w !== undefined && w > 0) quota.windowMs = w;
  return quota;
}

/**
 * Splits a structured-field list: members by `,`, parameters by `;`. Tolerant, never throws;
 * linear, and at most {@link MAX_MEMBERS} members of {@link MAX_PARAMS} parameters are read
 * (a server has a handful of policies; the rest of a longer field is ignored).
 */
function parseList(field: string): Member[] {
  const out: Member[] = [];
  let from = 0;
  while (from <= field.length && out.length < MAX_MEMBERS) {
    let to = field.indexOf(',', from);
    if (to === -1) to = field.length;
    const member = field.slice(from, to);
    from = to + 1;
    const [head = '', ...rest] = member.split(';', MAX_PARAMS + 1);
    const params: Params = new Map();
    for (const part of rest) {
      const eq = part.indexOf('=');
      if (eq > 0) params.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
    }
    const name = head.trim().replace(/^"(.*)"$/, '$1');
    if (name || params.size > 0) out.push({ name, params });
  }
  return out;
}

function count(raw: string | null | undefined): number | undefined {
  if (typeof raw !== 'string' || !/^\s*\d{1,12}\s*$/.test(raw)) return undefined;
  return Number(raw);
}

/** Delay-seconds (delta) within the sane range, as ms. */
function seconds(raw: string | null | undefined): number | undefined {
  if (typeof raw !== 'string' || !/^\s*\d{1,8}\s*$/.test(raw)) return undefined;
  return clampReset(Number(raw) * 1000);
}

function clampReset(ms: number): number | undefined {
  if (!Number.isFinite(ms) || ms > MAX_SERVER_DELAY_MS) return undefined;
  return Math.max(0, ms);
}
