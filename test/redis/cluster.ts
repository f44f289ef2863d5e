import { Cluster, Redis } from "ioredis";
import { redisClusterOptions } from "../../src/stores/redis/redis-client.ts";

/**
 * The Redis Cluster the cluster tests use: `REDIS_CLUSTER_NODES`, comma-separated `host:port` startup
 * nodes (`.ci/run` starts one with test/redis/cluster.sh and sets it). Empty when it is not set: those tests
 * are then skipped, and say so.
 */
export const CLUSTER_NODES: readonly { host: string; port: number }[] = (process.env["REDIS_CLUSTER_NODES"] ?? "")
  .split(",")
  .map((node) => node.trim())
  .filter((node) => node !== "")
  .map((node) => {
    const at = node.lastIndexOf(":");
    const host = node.slice(0, at);
    const port = Number(node.slice(at + 1));
    if (at <= 0 || !Number.isInteger(port)) throw new Error(`REDIS_CLUSTER_NODES: "${node}" is not host:port`);
    if (host !== "127.0.0.1" && host !== "localhost") throw new Error(`REDIS_CLUSTER_NODES: tests talk only to 127.0.0.1, not "${host}"`);
    return { host: "127.0.0.1", port };
  });

/** Why the cluster tests did not run, for their titles; "" when they do. */
export const CLUSTER_SKIP =
  CLUSTER_NODES.length === 0
    ? " (skipped: REDIS_CLUSTER_NODES is not set; start one with `test/redis/cluster.sh start DIR`, which prints it)"
    : "";
if (CLUSTER_SKIP !== "") console.warn(`Redis Cluster tests${CLUSTER_SKIP}`);

/**
 * Connects to `nodes` (default {@link CLUSTER_NODES}) with the store's recommended Cluster options;
 * `lazyConnect` waits for the first command.
 */
export function connectCluster(
  nodes: readonly { host: string; port: number }[] = CLUSTER_NODES,
  commandTimeout = 1000,
  lazyConnect = false,
): Cluster {
  const cluster = new Cluster([...nodes], { ...redisClusterOptions(commandTimeout), lazyConnect });
  cluster.on("error", () => {
    // Reconnection attempts are expected in the outage tests; failures surface as rejected commands.
  });
  return cluster;
}

/**
 * Waits until `cluster` has its slot map (its masters are known) and that map covers every slot: a client
 * that connected while a just-made cluster was still spreading its slot assignments can hold a partial map
 * (then ioredis fails commands on the missing slots with a TypeError), so it is refreshed until whole (10 s at most).
 */
export async function clusterReady(cluster: Cluster): Promise<void> {
  if (cluster.status !== "ready") await cluster.ping();
  for (let waited = 0; !wholeSlotMap(cluster); waited += 100) {
    if (waited > 10_000) throw new Error("the cluster client's slot map stayed incomplete for 10 s");
    await new Promise<void>((resolve) => cluster.refreshSlotsCache(() => resolve()));
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const SLOTS = 16384;

function wholeSlotMap(cluster: Cluster): boolean {
  for (let slot = 0; slot < SLOTS; slot++) if (cluster.slots[slot]?.[0] === undefined) return false;
  return true;
}

/** Lists every key under `prefix` on every master of `cluster`, following each SCAN cursor to the end. */
export async function clusterKeysUnder(cluster: Cluster, prefix: string): Promise<string[]> {
  await clusterReady(cluster);
  const found: string[] = [];
  for (const node of cluster.nodes("master")) {
    let cursor = "0";
    do {
      const [next, keys] = await node.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
      cursor = next;
      found.push(...keys);
    } while (cursor !== "0");
  }
  return found.sort();
}

/** Deletes every key under `prefix` on every master (test cleanup), one key per DEL (keys of one DEL must share a slot). */
export async function clusterDeletePrefix(cluster: Cluster, prefix: string): Promise<void> {
  await Promise.all((await clusterKeysUnder(cluster, prefix)).map((key) => cluster.del(key)));
}

/** Returns `host:port` of the master that owns `key` now. */
export async function masterOf(cluster: Cluster, key: string): Promise<string> {
  await clusterReady(cluster);
  const slot = Number(await cluster.cluster("KEYSLOT", key));
  const owner = cluster.slots[slot]?.[0];
  if (owner === undefined) throw new Error(`no master known for slot ${slot}`);
  return owner;
}

/** Connects a plain client to one node, `host:port` (for MONITOR or a node's own commands). */
export function connectNode(node: string): Redis {
  const at = node.lastIndexOf(":");
  const client = new Redis({ host: "127.0.0.1", port: Number(node.slice(at + 1)), maxRetriesPerRequest: 0 });
  client.on("error", () => {});
  return client;
}
