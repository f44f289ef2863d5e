import { createHash } from "node:crypto";
import type { ChainableCommander, Cluster, Redis } from "ioredis";
import { SessionError } from "../../errors.ts";
import type { SessionBackend } from "../server-store.ts";
import { SESSION_ID_LENGTH, isValidSessionId } from "../session-id.ts";
import { checkClient, clientSettings, isCluster } from "./redis-client.ts";
import { type Deadline, deadlineFor, redisCall, unavailable } from "./redis-errors.ts";
import { restoreFastStringPrototype } from "./fast-string-prototype.ts";

/** Options of {@link RedisBackend}. */
export interface RedisBackendOptions {
  /**
   * The ioredis client: a `Redis` (see `redisClientOptions()` for the settings it should have) or a
   * `Cluster` (see `redisClusterOptions()`).
   */
  readonly client: Redis | Cluster;
  /**
   * Put before every session id to make the key; `clear()` removes exactly the keys `prefix + id` for a
   * valid session id, not other keys that merely start with the prefix (another store's `session:admin:…`).
   */
  readonly prefix: string;
  /**
   * The deadline of one Redis command, in milliseconds; the client's `commandTimeout` is used instead when
   * it is shorter. 0 = rely on the client's own (none if it has none).
   */
  readonly commandTimeout: number;
  /** How many keys one SCAN step asks for (a hint to Redis), and the size of one UNLINK batch. */
  readonly scanCount: number;
}

/**
 * Persists encoded sessions in Redis, one string key per session, `prefix + id`, expiring with the session.
 * Every method fails with a `store_unavailable` {@link SessionError} when Redis cannot be reached in time.
 *
 * On a Redis Cluster (or a Valkey cluster) every command but `replace` and `clear` touches one key, so it
 * runs on the node that owns the key's slot as it does on a single node. `replace` cannot be one MULTI there
 * (the two ids hash to different slots); `clear` scans every master. See those methods.
 */
export class RedisBackend implements SessionBackend {
  readonly #client: Redis | Cluster;
  readonly #cluster: Cluster | undefined;
  readonly #prefix: string;
  readonly #timeout: Deadline;
  readonly #scanCount: number;

  /** Wraps `options.client`; throws `invalid_option` for a client with a `keyPrefix` or an empty prefix. */
  constructor(options: RedisBackendOptions) {
    checkClient(options.client);
    if (options.prefix === "") {
      throw new SessionError(
        "invalid_option",
        'prefix must not be empty: clear() would delete the whole database. Use e.g. "session:".',
      );
    }
    if (!Number.isInteger(options.scanCount) || options.scanCount < 1) {
      throw new SessionError(
        "invalid_option",
        `scanCount must be a whole number of at least 1, got ${options.scanCount}.`,
      );
    }
    if (!Number.isFinite(options.commandTimeout) || options.commandTimeout < 0) {
      throw new SessionError(
        "invalid_option",
        `commandTimeout must be milliseconds, at least 0, got ${options.commandTimeout}.`,
      );
    }
    this.#client = options.client;
    this.#cluster = isCluster(options.client) ? options.client : undefined;
    this.#prefix = options.prefix;
    const settings = clientSettings(options.client);
    // A Cluster command may be redirected or retried (MOVED, TRYAGAIN, a failover), each send with a node
    // timeout of its own: only a timer started when the call is made bounds the whole, as with auto-pipelining.
    this.#timeout = commandDeadline(this.#cluster === undefined ? settings : { ...settings, enableAutoPipelining: true }, options.commandTimeout);
    this.#scanCount = options.scanCount;
    restoreFastStringPrototype(); // the client exists, so ioredis has loaded (and slowed every string method call)
  }

  /** Returns the Redis key of session `id`. */
  key(id: string): string {
    return this.#prefix + id;
  }

  /** Reads the stored value of `id`, or `undefined` when there is none (never written, expired, destroyed). */
  read(id: string): Promise<string | undefined> {
    return redisCall("GET", this.#timeout, () => this.#client.get(this.key(id)), orUndefined);
  }

  /**
   * Like {@link RedisBackend.read}, with when the value expires (Unix seconds, on this process's clock: now
   * plus the key's PTTL; `Infinity` for a key without expiry), in one script call (GET and PTTL, atomic).
   */
  async readWithExpiry(id: string): Promise<{ readonly data: string; readonly expiresAt: number } | undefined> {
    const reply = (await this.#script(READ_EXPIRY, this.key(id))) as [string, number] | null;
    if (reply === null) return undefined;
    const [data, pttl] = reply;
    return { data, expiresAt: pttl < 0 ? Infinity : Date.now() / 1000 + pttl / 1000 };
  }

  /**
   * Stores `data` under `id` and sets its time to live in the same SET command.
   * @param ttlSeconds seconds until Redis drops the key; fractions use millisecond precision; 0 or less
   *   deletes the key; `Infinity` keeps it until deleted
   */
  async write(id: string, data: string, ttlSeconds: number): Promise<void> {
    if (ttlSeconds <= 0) return this.delete(id);
    const key = this.key(id);
    await redisCall("SET", this.#timeout, () => setExpiring(this.#client, key, data, ttlSeconds));
  }

  /**
   * Stores `data` under `id` only while the key exists (`SET … XX`, one atomic command); returns whether it
   * did. A session destroyed by another app server meanwhile stays destroyed.
   */
  async update(id: string, data: string, ttlSeconds: number): Promise<boolean> {
    if (ttlSeconds <= 0) {
      await this.delete(id);
      return false;
    }
    const key = this.key(id);
    const reply = await redisCall("SET XX", this.#timeout, () => setExpiring(this.#client, key, data, ttlSeconds, "XX"));
    return reply === "OK";
  }

  /** Deletes the stored value of `id`; deleting a missing key is not an error. */
  async delete(id: string): Promise<void> {
    await redisCall("DEL", this.#timeout, () => this.#client.del(this.key(id)));
  }

  /**
   * Replaces the data of `id` with what `next` makes of the data stored now, as an optimistic
   * compare-and-set: GET the value (or start from `expected`, the data the caller last saw, saving that
   * round trip), compute `next` in JS, then a Lua script (one key, so Cluster-safe)
   * writes the result with its time to live only if the key still holds the value read, or is still absent
   * when it was absent. When another write or delete of `id` landed in between, the script writes nothing
   * and returns the value as it is now: `next` is called again at once on that value; after a second loss,
   * after a random pause (up to 1 ms, doubling to at most 256 ms) and a fresh GET, so the saves that lost
   * do not retry in step. At most `MODIFY_ATTEMPTS` (32) calls of `next` in all. Resolves whether it wrote:
   * `false` when `next` returns `undefined`, or for a time to live of 0 or less (the key is then deleted,
   * still only if unchanged).
   * @throws `store_unavailable` when Redis cannot be reached in time, or when every attempt lost the race
   *   (far more concurrent saves of one session than real requests make: 200 at once settle in about 13
   *   attempts): nothing was written, and the request can be retried.
   */
  modify(
    id: string,
    next: (current: string | undefined) => { readonly data: string; readonly ttlSeconds: number } | undefined,
    expected?: string,
  ): Promise<boolean> {
    // With the data the caller last saw, the first attempt is the compare-and-set alone: one round trip
    // when nobody else wrote, and the script's reply is the current data when somebody did. That attempt
    // runs without the async loop (a promise and a hop less on every save that nobody raced).
    if (expected === undefined) return this.read(id).then((current) => this.#modifyFrom(id, next, current, 1));
    let wanted: Wanted | undefined;
    try {
      wanted = next(expected);
    } catch (err) {
      return Promise.reject(err);
    }
    if (wanted === undefined) return Promise.resolve(false);
    return this.#compareAndSet(id, expected, wanted, (reply) =>
      reply === 1 || reply === 2 ? reply === 1 : this.#modifyFrom(id, next, reply ?? undefined, 2),
    );
  }

  /**
   * One compare-and-set of {@link RedisBackend.modify}: {1} written, {2} deleted, else the value now (or
   * `null`); with `map`, what it makes of that reply.
   */
  #compareAndSet(id: string, current: string | undefined, wanted: Wanted): Promise<CasReply>;
  #compareAndSet<R>(id: string, current: string | undefined, wanted: Wanted, map: (reply: CasReply) => R | PromiseLike<R>): Promise<R>;
  #compareAndSet<R>(id: string, current: string | undefined, wanted: Wanted, map?: (reply: CasReply) => R | PromiseLike<R>): Promise<CasReply | R> {
    const ms = wanted.ttlSeconds <= 0 ? "0" : wanted.ttlSeconds === Infinity ? "-1" : String(expiryMs(wanted.ttlSeconds));
    return this.#script(CAS, this.key(id), [current === undefined ? "0" : "1", current ?? "", wanted.data, ms], map as ((reply: unknown) => R | PromiseLike<R>) | undefined);
  }

  /**
   * {@link RedisBackend.modify}'s attempts from `attempt` on, `current` being the value now (read, or the
   * reply of the first attempt, which lost the race).
   */
  async #modifyFrom(id: string, next: (current: string | undefined) => Wanted | undefined, current: string | undefined, attempt: number): Promise<boolean> {
    for (; ; attempt++) {
      const wanted = next(current);
      if (wanted === undefined) return false;
      const reply = await this.#compareAndSet(id, current, wanted);
      if (reply === 1) return true;
      if (reply === 2) return false; // deleted, as a time to live of 0 asks: nothing was written
      if (attempt >= MODIFY_ATTEMPTS) {
        throw new SessionError(
          "store_unavailable",
          `Redis modify failed: the session changed under each of ${MODIFY_ATTEMPTS} attempts to save it (too many concurrent saves of one session); nothing was written. Retry the request or answer 503.`,
        );
      }
      if (attempt === 1) {
        current = reply ?? undefined; // the value now (a string reply), or none
      } else {
        // The value the script returned is as old as the pause by the time it would be used: read afresh.
        await pause(attempt - 1);
        current = await this.read(id);
      }
    }
  }

  /**
   * Moves the expiry of `id` to `ttlSeconds` from now without rewriting the data: one `PEXPIRE`, which does
   * nothing to a missing key; resolves whether the key was there. A time to live of 0 or less deletes the
   * key (and resolves `false`, as `update` does); `Infinity` removes the expiry (one script: `PERSIST` alone
   * cannot tell a missing key from one that had no expiry).
   */
  async touch(id: string, ttlSeconds: number): Promise<boolean> {
    if (ttlSeconds <= 0) {
      await this.delete(id);
      return false;
    }
    const key = this.key(id);
    if (ttlSeconds === Infinity) return (await this.#script(PERSIST, key)) === 1;
    const ms = expiryMs(ttlSeconds);
    return (await redisCall("PEXPIRE", this.#timeout, () => this.#client.pexpire(key, ms))) === 1;
  }

  /**
   * Writes `data` under `newId` and deletes `oldId`. On a single Redis, in one MULTI/EXEC transaction, so a
   * regenerated session never exists under both ids, nor under neither.
   *
   * On a Cluster the two keys live in different slots, where MULTI is refused (CROSSSLOT), so it writes
   * `newId` first and deletes `oldId` once that write succeeded. The data is then never under neither id,
   * and never under the old one: the old key keeps what it held before until the DEL. Both keys exist for
   * one round trip, while the new id is not handed out yet (the cookie is set only after this resolves).
   * What weakens: when the DEL fails (a node down, a timeout) or the process dies before it, this rejects
   * with `store_unavailable` and the old id keeps working with its old data (the session was not moved, as
   * when a MULTI fails), while the new key, whose id no one was given, lingers until it expires.
   */
  async replace(oldId: string, newId: string, data: string, ttlSeconds: number): Promise<void> {
    const newKey = this.key(newId);
    if (this.#cluster !== undefined) {
      if (ttlSeconds <= 0) await this.delete(newId);
      else await redisCall("SET", this.#timeout, () => setExpiring(this.#client, newKey, data, ttlSeconds));
      await this.delete(oldId);
      return;
    }
    const client = this.#client as Redis;
    const results = await redisCall("MULTI/EXEC", this.#timeout, () => {
      const tx = client.multi();
      if (ttlSeconds <= 0) tx.del(newKey);
      else setExpiring(tx, newKey, data, ttlSeconds);
      return tx.del(this.key(oldId)).exec();
    });
    if (results === null) throw unavailable("MULTI/EXEC", this.#timeout.timeoutMs, new Error("transaction aborted"));
    for (const [err] of results) if (err) throw unavailable("MULTI/EXEC", this.#timeout.timeoutMs, err);
  }

  /**
   * Deletes every key of this store's shape, the prefix followed by a valid session id and nothing else,
   * found with SCAN (never KEYS) and removed with UNLINK. Keys that merely start with the prefix (another
   * store's nested prefix such as `session:admin:` under `session:`, an app's `session:count`) stay. On a
   * Cluster, it scans every master (`cluster.nodes("master")`, all at once) and unlinks each key on its own
   * (the keys of one UNLINK must share a slot), the keys of one SCAN step together. It rejects with
   * `store_unavailable` when a master that serves slots cannot be scanned (down, or not connected), rather
   * than report a partial clear as done; the masters it could reach are cleared all the same.
   */
  async clear(): Promise<void> {
    if (this.#cluster === undefined) return this.#clearNode(this.#client as Redis, (keys) => this.#client.unlink(...keys));
    const cluster = this.#cluster;
    if (cluster.nodes("master").length === 0) {
      // Not connected yet (a lazy or reconnecting Cluster): one command waits for the slot map.
      await redisCall("PING", this.#timeout, () => cluster.ping());
    }
    const masters = cluster.nodes("master");
    // Every master that serves a slot must be scanned: one the client holds no connection to (it went away
    // and ioredis dropped it) would leave its sessions behind, silently.
    const connected = new Set(masters.map((node) => `${node.options.host}:${node.options.port}`));
    const owners = new Set(cluster.slots.map((holders) => holders?.[0]).filter((owner) => owner !== undefined));
    const missing = [...owners].filter((owner) => !connected.has(owner));
    if (masters.length === 0 || missing.length > 0) {
      const which = missing.length > 0 ? `the master ${missing.join(", ")} is not connected` : "the Cluster knows no master";
      throw unavailable("SCAN", this.#timeout.timeoutMs, new Error(`${which}, so some sessions could not be cleared`));
    }
    const unlinkEach = async (keys: string[]): Promise<number> => {
      const counts = await Promise.all(keys.map((key) => cluster.unlink(key)));
      return counts.reduce((sum, n) => sum + n, 0);
    };
    await Promise.all(masters.map((node) => this.#clearNode(node, unlinkEach)));
  }

  /** Runs {@link clear}'s SCAN over one node, removing what it finds with `unlink`. */
  async #clearNode(node: Redis, unlink: (keys: string[]) => Promise<number>): Promise<void> {
    // `?` matches one byte and ids are ASCII, so Redis already drops keys of any other length; the id
    // check below drops the rest (a 43-byte tail with a character no id has).
    const match = escapeGlob(this.#prefix) + "?".repeat(SESSION_ID_LENGTH);
    let cursor = "0";
    do {
      const [next, found] = await redisCall("SCAN", this.#timeout, () => node.scan(cursor, "MATCH", match, "COUNT", this.#scanCount));
      cursor = next;
      const keys = found.filter((key) => this.#owns(key));
      if (keys.length > 0) await redisCall("UNLINK", this.#timeout, () => unlink(keys));
    } while (cursor !== "0");
  }

  /**
   * Runs one of this module's Lua scripts on `key`: EVALSHA, and EVAL when the node does not have it yet
   * (NOSCRIPT: a restarted node, or a Cluster node it never ran on), which also loads it there; `map` is
   * applied to the reply.
   */
  #script<R = unknown>(
    script: LuaScript,
    key: string,
    args: readonly string[] = [],
    map: (reply: unknown) => R | PromiseLike<R> = identity as (reply: unknown) => R,
  ): Promise<R> {
    // The fallback and `map` run inside redisCall's one promise (no `.catch` or `.then` of this method's).
    const client = this.#client;
    return redisCall(script.name, this.#timeout, () => client.evalsha(script.sha, 1, key, ...args), map, (err) =>
      err instanceof Error && err.message.startsWith("NOSCRIPT") ? client.eval(script.lua, 1, key, ...args) : undefined,
    );
  }

  /** Tells whether `key` is one of this store's: exactly the prefix followed by a valid session id. */
  #owns(key: string): boolean {
    return key.startsWith(this.#prefix) && isValidSessionId(key.slice(this.#prefix.length));
  }
}

/**
 * Chooses the deadline of the backend's calls on a client with `clientOptions`. The client's own
 * `commandTimeout` is enough only without auto-pipelining: an auto-pipelined command waits, with no timer,
 * while the previous pipeline is still out, and its `commandTimeout` starts only once it is sent (up to
 * twice the timeout in all when Redis hangs). So with `enableAutoPipelining` the store keeps a timer of its
 * own, started when the call is made, of the shorter of the two timeouts.
 * @param timeoutMs the store's `commandTimeout`, in milliseconds; 0 = the client's own
 */
export function commandDeadline(
  clientOptions: { readonly commandTimeout?: number | undefined; readonly enableAutoPipelining?: boolean | undefined },
  timeoutMs: number,
): Deadline {
  const { commandTimeout, enableAutoPipelining } = clientOptions;
  if (enableAutoPipelining !== true) return deadlineFor(commandTimeout, timeoutMs);
  const clientMs = typeof commandTimeout === "number" && commandTimeout > 0 ? commandTimeout : 0;
  const ms = clientMs > 0 && (timeoutMs === 0 || clientMs < timeoutMs) ? clientMs : timeoutMs;
  return { timeoutMs: ms, timerMs: ms };
}

/**
 * How many times {@link RedisBackend.modify} computes and tries to set a session before it gives up: 200
 * concurrent modifies of one key from one process settle in 12-15 on a quiet host (`test/redis/modify-suite.ts`),
 * two in 2; on a Redis Cluster with the host's two cores overloaded (load average 12), some took more than 20.
 */
export const MODIFY_ATTEMPTS = 32;

/** The longest random pause between two attempts of a modify, in milliseconds. */
const MAX_PAUSE_MS = 256;

/**
 * Waits a random time, the `n`th pause of a modify: up to 1 ms, doubling with each pause to at most
 * {@link MAX_PAUSE_MS} ("full jitter"), so the saves that lost a race do not all retry together. All the
 * pauses of a modify that never wins add up to at most about 6 s (3 s on average).
 */
function pause(n: number): Promise<void> {
  const ms = Math.random() * Math.min(MAX_PAUSE_MS, 2 ** (n - 1));
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** What a `modify`'s `next` asks to write. */
interface Wanted {
  readonly data: string;
  readonly ttlSeconds: number;
}

/** The compare-and-set script's reply: 1 written, 2 deleted, else the value now (`null`: none). */
type CasReply = 1 | 2 | string | null;

/** Returns its argument (a script's reply as it is). */
function identity<T>(value: T): T {
  return value;
}

/** A Lua script and its SHA-1, for EVALSHA. */
interface LuaScript {
  /** What error messages call it. */
  readonly name: string;
  /** The source. */
  readonly lua: string;
  /** Its SHA-1, in hex, as Redis names it. */
  readonly sha: string;
}

function luaScript(name: string, lua: string): LuaScript {
  return { name, lua, sha: createHash("sha1").update(lua).digest("hex") };
}

/**
 * Compare-and-set of one key. ARGV: "1" if the value read was there, else "0"; the value read; the value
 * to write; its time to live in ms ("-1": none, "0": delete). Returns {1} (written), {2} (deleted) or, when
 * the key no longer holds what was read, {0, the value now} ({0} when there is none), writing nothing.
 */
const CAS = luaScript(
  "modify (EVALSHA)",
  `local current = redis.call('GET', KEYS[1])
if (ARGV[1] == '1' and current ~= ARGV[2]) or (ARGV[1] == '0' and current) then return current end
if ARGV[4] == '0' then redis.call('DEL', KEYS[1]) return 2 end
if ARGV[4] == '-1' then redis.call('SET', KEYS[1], ARGV[3]) else redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4]) end
return 1`,
);

/** Reads a key and its time to live in ms: {value, PTTL} (PTTL -1: no expiry), or nil when it is missing. */
const READ_EXPIRY = luaScript(
  "read (EVALSHA)",
  `local value = redis.call('GET', KEYS[1])
if not value then return false end
return {value, redis.call('PTTL', KEYS[1])}`,
);

/** Removes the expiry of a key that exists; returns 1 when it did, 0 for a missing key. */
const PERSIST = luaScript(
  "touch (EVALSHA)",
  `if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('PERSIST', KEYS[1])
return 1`,
);

function orUndefined(value: string | null): string | undefined {
  return value ?? undefined;
}

/**
 * The expiry arguments of a SET for a time to live of `seconds` (> 0): `EX` for whole seconds, `PX` with
 * millisecond precision for fractions, none for `Infinity` (kept until deleted).
 */
function expiry(seconds: number): (string | number)[] {
  if (seconds === Infinity) return [];
  if (Number.isInteger(seconds)) return ["EX", seconds];
  return ["PX", Math.max(1, Math.ceil(seconds * 1000))];
}

/** A time to live of `seconds` (> 0, finite) in whole milliseconds, at least 1. */
function expiryMs(seconds: number): number {
  return Number.isInteger(seconds) ? seconds * 1000 : Math.max(1, Math.ceil(seconds * 1000));
}

/** Runs `SET key data` with the expiry of {@link expiry} and `flags` on a client (a reply) or a MULTI (itself). */
function setExpiring<T extends Redis | Cluster | ChainableCommander>(target: T, key: string, data: string, seconds: number, ...flags: "XX"[]): T extends Redis | Cluster ? Promise<"OK" | null> : T {
  // ioredis's overloads of `set` take no spread argument list.
  return (target.set as unknown as (...args: (string | number)[]) => never).call(target, key, data, ...expiry(seconds), ...flags);
}

/** Escapes Redis glob characters (`* ? [ ] \`) so a prefix matches only itself in SCAN MATCH. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, "\\$&");
}
