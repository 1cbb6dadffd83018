/**
 * A Lua script run by its SHA (`EVALSHA`), loaded with `EVAL` the first time a server
 * answers NOSCRIPT (a new server, a restart, `SCRIPT FLUSH`): one round trip either way.
 */
import { createHash } from 'node:crypto';
import type { RedisCommands } from './redis-client.js';

/** One Lua script. */
export class RedisScript {
  readonly sha: string;
  readonly #source: string;

  constructor(source: string) {
    this.#source = source;
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(redis: RedisCommands, keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      return await redis.call('EVALSHA', [this.sha, keys.length, ...keys, ...args]);
    } catch (error) {
      if (!String((error as Error)?.message).startsWith('NOSCRIPT')) throw error;
      return redis.call('EVAL', [this.#source, keys.length, ...keys, ...args]);
    }
  }
}

/**
 * Takes over entries idle longer than ARGV[3] (XAUTOCLAIM from cursor ARGV[4], at most
 * ARGV[5]) and reads each one's delivery count from XPENDING. Returns
 * { next cursor, entries, delivery counts, number of deleted entries dropped }.
 */
export const CLAIM = new RedisScript(`
local r = redis.call('XAUTOCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4], 'COUNT', ARGV[5])
local entries = r[2]
local counts = {}
for i, entry in ipairs(entries) do
  local p = redis.call('XPENDING', KEYS[1], ARGV[1], entry[1], entry[1], 1)
  counts[i] = p[1] and p[1][4] or 1
end
local deleted = r[3] and #r[3] or 0
return { r[1], entries, counts, deleted }
`);

/**
 * A script's writes before an error are not rolled back, so every check comes first.
 *
 * The dead-letter moves of a batch, each atomic: for every letter (ARGV from 2: the
 * entry id, the number of fields, the fields), XACK the entry of group ARGV[1] on
 * KEYS[1] and, only if it was still pending, XADD the letter to KEYS[2]. A replay (a
 * resent command, another consumer that got there first) acknowledges nothing and adds
 * nothing. Returns how many entries it moved.
 */
export const DEAD_LETTER = new RedisScript(`
local t = redis.call('TYPE', KEYS[2]).ok
if t ~= 'stream' and t ~= 'none' then
  return redis.error_reply('WRONGTYPE dead-letter key ' .. KEYS[2] .. ' holds a ' .. t .. ', not a stream')
end
local moved = 0
local i = 2
while i <= #ARGV do
  local n = tonumber(ARGV[i + 1])
  if redis.call('XACK', KEYS[1], ARGV[1], ARGV[i]) == 1 then
    redis.call('XADD', KEYS[2], '*', unpack(ARGV, i + 2, i + 1 + n))
    moved = moved + 1
  end
  i = i + 2 + n
end
return moved
`);

/**
 * Redrive, atomic per letter: XDEL the letter ARGV[1] from KEYS[1]; only if it was there,
 * XADD its fields (ARGV[2..]) to KEYS[2]. Returns the new entry's id, or false when the
 * letter was already gone (redriven by someone else).
 */
export const REDRIVE = new RedisScript(`
local t = redis.call('TYPE', KEYS[2]).ok
if t ~= 'stream' and t ~= 'none' then
  return redis.error_reply('WRONGTYPE redrive target ' .. KEYS[2] .. ' holds a ' .. t .. ', not a stream')
end
if #ARGV < 3 or (#ARGV - 1) % 2 ~= 0 then return redis.error_reply('ERR dead letter without fields') end
if redis.call('XDEL', KEYS[1], ARGV[1]) == 0 then return false end
return redis.call('XADD', KEYS[2], '*', unpack(ARGV, 2))
`);
