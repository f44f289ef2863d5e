import type { Cluster, Redis } from "ioredis";
import { SessionError } from "../../errors.ts";
import { RedisBackend } from "./redis-backend.ts";
import { DEFAULT_COMMAND_TIMEOUT, type RedisClientOptions, createRedisClient } from "./redis-client.ts";
import { redisCall } from "./redis-errors.ts";
import { ServerStore, type ServerStoreOptions } from "../server-store.ts";

/** The default key prefix of {@link RedisStore}. */
export const DEFAULT_REDIS_PREFIX = "session:";

/**
 * Options of {@link createRedisStore}: the keys and cookie defaults of every store, and where Redis is.
 * @typeParam C the client's type: `Redis`, or `Cluster` for a Redis Cluster (or a Valkey cluster)
 */
export type RedisStoreOptions<C extends Redis | Cluster = Redis> = ServerStoreOptions & {
  /**
   * Your ioredis client, shared with the rest of the app; the store never closes it. Give it
   * `redisClientOptions()` (a command timeout, reconnect forever, no replay of failed writes) and no
   * `keyPrefix`, and listen for its `"error"` events. A `Cluster` works too (give it
   * `redisClusterOptions()`): every command touches one key, but regenerate, which writes the new id
   * before it deletes the old one (see `RedisBackend.replace`), and `clear()`, which scans every master.
   * @default a client the store creates from `url`
   */
  client?: C | undefined;
  /** Where Redis is, when no `client` is given (e.g. `redis://:password@host:6379/2`). @default "redis://127.0.0.1:6379" */
  url?: string | undefined;
  /** Extra ioredis options for the client the store creates from `url` (ignored with `client`). @default {} */
  redisOptions?: RedisClientOptions | undefined;
  /**
   * Put before every session id to make the Redis key; `clear()` deletes exactly the keys `prefix + id` of a
   * valid session id, never other keys under the prefix (another store's `session:admin:…`). @default "session:"
   */
  prefix?: string | undefined;
  /**
   * The longest one Redis command may take, in milliseconds, before `get`/`save` fail with
   * `store_unavailable`; 0 = no deadline of the store's own. @default 2000
   */
  commandTimeout?: number | undefined;
  /** How many keys one SCAN step of `clear()` asks for, and the size of one UNLINK batch. @default 100 */
  scanCount?: number | undefined;
};

/**
 * A server-side store in Redis: the cookie carries a signed random id, and Redis holds the codec-encoded
 * session (encrypted at rest with a block key) under `prefix + id`, expiring with the session's maxAge.
 * Several app servers that share the keys and the Redis see the same sessions. When Redis is down or slow,
 * `get` and `save` reject with `store_unavailable` within `commandTimeout`; the client keeps reconnecting,
 * so the store recovers by itself. The client may be an ioredis `Cluster` (Redis Cluster, Valkey).
 * @typeParam C the client's type: `Redis`, or `Cluster`
 */
export class RedisStore<C extends Redis | Cluster = Redis> extends ServerStore {
  readonly #client: C;
  /** The key prefix. */
  readonly prefix: string;
  readonly #ownsClient: boolean;
  readonly #commandTimeout: number;

  /** Creates the store (and its client, without `options.client`); throws a usage error for bad options. */
  constructor(options: RedisStoreOptions<C>) {
    const commandTimeout = options.commandTimeout ?? DEFAULT_COMMAND_TIMEOUT;
    const prefix = options.prefix ?? DEFAULT_REDIS_PREFIX;
    const scanCount = options.scanCount ?? 100;
    const ownsClient = options.client === undefined;
    // Without a client, C is its default, Redis: the one created here.
    const client =
      options.client ??
      (createRedisClient(options.url ?? "redis://127.0.0.1:6379", commandTimeout, () => {
        // Failed (re)connection attempts: the commands waiting on them reject with store_unavailable.
      }, options.redisOptions) as C);
    let backend: RedisBackend;
    try {
      backend = new RedisBackend({ client, prefix, commandTimeout, scanCount });
    } catch (err) {
      if (ownsClient) client.disconnect();
      throw err;
    }
    super(backend, options);
    this.#client = client;
    this.prefix = prefix;
    this.#ownsClient = ownsClient;
    this.#commandTimeout = commandTimeout;
  }

  /**
   * The ioredis client this store talks through. A client the store created from `url` holds the URL's
   * password in `client.options` (it needs it to reconnect): treat the client as a secret. The store
   * keeps no `url` and shows no client when inspected, logged or JSON-stringified.
   */
  get client(): C {
    return this.#client;
  }

  /** Stops using Redis: closes the client the store created (a `client` you passed stays open). */
  override async close(): Promise<void> {
    await super.close();
    if (!this.#ownsClient) return;
    try {
      await redisCall("QUIT", { timeoutMs: this.#commandTimeout, timerMs: this.#commandTimeout }, () => this.client.quit());
    } catch {
      // Redis is already gone: nothing to say goodbye to.
    } finally {
      this.client.disconnect();
    }
  }
}

/**
 * Creates a {@link RedisStore}.
 * @example
 * import { keysFromEnv } from "typed-sessions";
 * import { createRedisStore } from "typed-sessions/redis";
 * const store = createRedisStore({ url: process.env.REDIS_URL, ...keysFromEnv(process.env) });
 * @example
 * // A Redis Cluster (or Valkey cluster): pass an ioredis Cluster as the client.
 * import { Cluster } from "ioredis";
 * import { createRedisStore, redisClusterOptions } from "typed-sessions/redis";
 * const cluster = new Cluster([{ host: "10.0.0.1", port: 6379 }], redisClusterOptions());
 * const store = createRedisStore({ client: cluster, ...keysFromEnv(process.env) });
 * @typeParam C the client's type: `Redis`, or `Cluster`
 */
export function createRedisStore<C extends Redis | Cluster = Redis>(options: RedisStoreOptions<C>): RedisStore<C> {
  if (options.client !== undefined && options.url !== undefined) {
    throw new SessionError("invalid_option", "give either client or url to createRedisStore, not both.");
  }
  return new RedisStore(options);
}
