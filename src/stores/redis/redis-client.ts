import { type Cluster, type ClusterOptions, Redis, type RedisOptions } from "ioredis";
import { SessionError } from "../../errors.ts";

/** The default deadline of one Redis command, in milliseconds. */
export const DEFAULT_COMMAND_TIMEOUT = 2000;

/** ioredis options without `replyMapping`: the store reads the default ("legacy") reply shapes. */
export type RedisClientOptions = Omit<RedisOptions, "replyMapping">;

/** The longest pause between two reconnection attempts, in milliseconds. */
const MAX_RECONNECT_DELAY = 1000;

/**
 * Returns the ioredis options a session store wants, so that no request waits forever and the client
 * recovers by itself. Pass them (spread under your own) when you build the client yourself:
 *
 * - `commandTimeout`: a command without an answer fails after this many ms (a hung or sleeping server).
 * - `connectTimeout`: a connection attempt gives up after as long (an unreachable host).
 * - `enableOfflineQueue: true` with `maxRetriesPerRequest: 0`: commands issued while (re)connecting wait
 *   for that one attempt; when it fails they fail at once instead of piling up while Redis is down.
 * - `autoResendUnfulfilledCommands: false`: a write that already failed is not replayed after a reconnect
 *   (it could resurrect a destroyed session).
 * - `retryStrategy`: reconnect forever, 50 ms doubling to at most 1 s, so the store recovers by itself.
 * - `enableAutoPipelining: true`: the commands issued in one event-loop turn (those of concurrent requests)
 *   go out in one socket write instead of one write each, which raises throughput under load
 *   (`npm run bench -- redis`). A store on such a client times each call itself from the moment it is
 *   made, since an auto-pipelined command waits unsent while the previous batch is out. MULTI/EXEC
 *   (regenerate) is never auto-pipelined. Pass `enableAutoPipelining: false` to turn it off.
 * @param commandTimeout the deadline of one command, in milliseconds. @default 2000
 * @example
 * const client = new Redis(process.env.REDIS_URL!, { ...redisClientOptions(), password: "…" });
 */
export function redisClientOptions(commandTimeout: number = DEFAULT_COMMAND_TIMEOUT): RedisClientOptions {
  return {
    commandTimeout,
    connectTimeout: commandTimeout,
    enableOfflineQueue: true,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    enableAutoPipelining: true,
    retryStrategy: (attempt: number) => Math.min(50 * 2 ** Math.min(attempt - 1, 10), MAX_RECONNECT_DELAY),
  };
}

/**
 * Creates an ioredis client for `url` with {@link redisClientOptions}. Connection errors are reported to
 * `onError` (ioredis would otherwise print every failed reconnection attempt).
 */
export function createRedisClient(
  url: string,
  commandTimeout: number,
  onError: (err: Error) => void,
  options: RedisClientOptions = {},
): Redis {
  const client = new Redis(url, { ...redisClientOptions(commandTimeout), ...options });
  client.on("error", onError);
  return client;
}

/**
 * ioredis `Cluster` options whose node options have no `replyMapping` (the store reads the default,
 * "legacy", reply shapes), and are never `undefined` when given (so they pass where
 * `exactOptionalPropertyTypes` is on).
 */
export type RedisClusterOptions = Omit<ClusterOptions, "redisOptions"> & {
  /** The options of the connection to each node. */
  redisOptions?: Omit<NonNullable<ClusterOptions["redisOptions"]>, "replyMapping">;
};

/**
 * Returns the ioredis `Cluster` options a session store wants: {@link redisClientOptions} for the
 * connection to every node (`redisOptions`: the command and connect timeouts, no retries per request, no
 * replay of failed writes), and the same queueing, auto-pipelining and reconnect policy for the cluster as a
 * whole. A store on a Cluster times each call itself (redirections and failover waits included). Pass them
 * (spread under your own) when you build the Cluster.
 *
 * Unlike a single-node client, a Cluster keeps a command issued while no node is reachable in its offline
 * queue until it reconnects, and retries one whose node went away (`retryDelayOnFailover`), even after
 * the store has given up on it with `store_unavailable`. The store's writes are safe to land late: saves of
 * a loaded session are `SET … XX` or a compare-and-set, which cannot bring back a deleted session, and a new
 * session whose save failed was given no cookie, so its key is never read before it expires.
 * @param commandTimeout the deadline of one command, in milliseconds. @default 2000
 * @example
 * const cluster = new Cluster([{ host: "10.0.0.1", port: 6379 }], redisClusterOptions());
 * const store = createRedisStore({ client: cluster, ...keysFromEnv(process.env) });
 */
export function redisClusterOptions(commandTimeout: number = DEFAULT_COMMAND_TIMEOUT): RedisClusterOptions {
  const { retryStrategy, enableOfflineQueue, enableAutoPipelining, ...node } = redisClientOptions(commandTimeout);
  return {
    redisOptions: node,
    enableOfflineQueue,
    enableAutoPipelining,
    clusterRetryStrategy: retryStrategy ?? null,
    slotsRefreshTimeout: commandTimeout,
  };
}

/** Tells a Cluster from a single-node client (by ioredis's own flag, so a second copy of ioredis works too). */
export function isCluster(client: Redis | Cluster): client is Cluster {
  return (client as { readonly isCluster?: unknown }).isCluster === true;
}

/** What the store reads of a client's settings: its command timeout, auto-pipelining, key prefix. */
export interface ClientSettings {
  /** The `commandTimeout` of a command (a Cluster's is that of its node connections, `redisOptions`). */
  readonly commandTimeout?: number | undefined;
  /** Whether commands are auto-pipelined. */
  readonly enableAutoPipelining?: boolean | undefined;
  /** The ioredis `keyPrefix`, if any (a Cluster's own or its nodes'). */
  readonly keyPrefix?: unknown;
}

/** Reads {@link ClientSettings} of a Redis or a Cluster client. */
export function clientSettings(client: Redis | Cluster): ClientSettings {
  if (!isCluster(client)) return client.options;
  const { enableAutoPipelining, keyPrefix, redisOptions } = client.options;
  return { commandTimeout: redisOptions?.commandTimeout, enableAutoPipelining, keyPrefix: keyPrefix ?? redisOptions?.keyPrefix };
}

/**
 * Refuses a client whose settings break the store: ioredis's `keyPrefix` is not applied to SCAN patterns,
 * so `clear()` would miss every key; use the store's `prefix` instead. A Cluster is checked for its own
 * `keyPrefix` and that of its node connections (`redisOptions.keyPrefix`).
 */
export function checkClient(client: Redis | Cluster): void {
  const keyPrefix = clientSettings(client).keyPrefix;
  if (typeof keyPrefix === "string" && keyPrefix !== "") {
    throw new SessionError(
      "invalid_option",
      `the Redis client has keyPrefix "${keyPrefix}"; remove it and pass prefix to the store instead (SCAN ignores keyPrefix).`,
    );
  }
}
