/**
 * Redis replies of the consumer's commands, turned into entries. XREADGROUP answers a
 * list of `[stream, entries]` under RESP2, a map under RESP3 — which ioredis gives as a
 * flat `[stream, entries]` (its default legacy mapping) or as an object
 * (`replyMapping: 'resp3'`); all three are read.
 */
import type { StreamEntry } from './consumer-options.js';

type RawEntry = [id: string, pairs: unknown[] | null];

/** The entries of an XREADGROUP reply for one stream (null: none). */
export function readEntries(reply: unknown): RawEntry[] {
  if (reply == null) return [];
  if (Array.isArray(reply)) {
    if (typeof reply[0] === 'string' || Buffer.isBuffer(reply[0])) return reply[1] ?? [];
    const first = reply[0] as [string, RawEntry[]] | undefined;
    return first?.[1] ?? [];
  }
  const values = Object.values(reply as Record<string, RawEntry[]>);
  return values[0] ?? [];
}

/** An entry the handler can take; undefined for one deleted while pending (no fields). */
export function toEntry(raw: RawEntry, deliveries: number): StreamEntry | undefined {
  const [id, list] = raw;
  if (!Array.isArray(list)) return undefined;
  const pairs = list.map(String);
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < pairs.length; i += 2) fields[pairs[i]!] = pairs[i + 1]!;
  return { id: String(id), fields, pairs, deliveries };
}

/** The CLAIM script's reply. */
export function claimReply(reply: unknown): {
  cursor: string;
  entries: StreamEntry[];
  deleted: number;
} {
  const [cursor, raw, counts, deleted] = reply as [string, RawEntry[], number[], number];
  const entries: StreamEntry[] = [];
  raw.forEach((r, i) => {
    const entry = toEntry(r, Number(counts[i] ?? 1));
    if (entry) entries.push(entry);
  });
  return { cursor: String(cursor), entries, deleted: Number(deleted) || 0 };
}

/** The time part of an entry id, epoch ms. */
export function entryTime(id: string): number | undefined {
  const ms = Number(id.slice(0, id.indexOf('-')));
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

/** True for Redis's "the group (or the stream) is gone" error. */
export function isNoGroup(error: unknown): boolean {
  return String((error as Error)?.message ?? error).startsWith('NOGROUP');
}
