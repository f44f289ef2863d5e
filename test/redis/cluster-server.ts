import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { freePort, ping } from "./server.ts";

/** One node of a {@link ThrowawayCluster}. */
export interface ClusterNodeProcess {
  /** Its `host:port`, as the Cluster's slot map names it. */
  readonly address: string;
  readonly port: number;
  /** Its cluster bus port (node-to-node traffic). */
  readonly busPort: number;
  /** Kills the node (SIGKILL: like a crash, no data kept) and waits until it has exited. */
  stop(): Promise<void>;
  /** Starts it again, same port and cluster config (it rejoins with its slots), and waits until it answers PING. */
  start(): Promise<void>;
  /** Freezes it (SIGSTOP): connections stay open but nothing answers. */
  pause(): void;
  /** Lets a paused node run again (SIGCONT). */
  resume(): void;
}

/** A throwaway 3-master Redis Cluster on free loopback ports, for tests that stop and freeze its nodes. */
export interface ThrowawayCluster {
  readonly nodes: readonly ClusterNodeProcess[];
  /** The startup nodes for an ioredis Cluster. */
  readonly startup: readonly { host: string; port: number }[];
  /** Stops every node and removes their files. */
  close(): Promise<void>;
}

const SLOTS = 16384;

/**
 * Starts three `redis-server --cluster-enabled yes` (no persistence, `cluster-require-full-coverage no`, so
 * the other masters keep serving while one is down), gives each a third of the slots and joins them; waits
 * (at most ~15 s) until every node sees the whole cluster. Its own instances, so a test may stop them
 * without disturbing tests that share `REDIS_CLUSTER_NODES`.
 */
export async function startThrowawayCluster(server = process.env["REDIS_SERVER"] ?? "redis-server"): Promise<ThrowawayCluster> {
  const dir = await mkdtemp(join(tmpdir(), "typed-sessions-cluster-"));
  const nodes: ClusterNodeProcess[] = [];
  try {
    for (let i = 0; i < 3; i++) nodes.push(await startNode(server, dir));
    await join3(nodes);
  } catch (err) {
    for (const node of nodes) await node.stop();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    nodes,
    startup: nodes.map((node) => ({ host: "127.0.0.1", port: node.port })),
    close: async () => {
      for (const node of nodes) {
        node.resume();
        await node.stop();
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function startNode(server: string, dir: string): Promise<ClusterNodeProcess> {
  const port = await freePort();
  let bus = await freePort();
  while (bus === port) bus = await freePort();
  let child: ChildProcess | undefined;
  const args = [
    "--port", String(port), "--bind", "127.0.0.1", "--cluster-enabled", "yes", "--cluster-port", String(bus),
    "--cluster-config-file", `nodes-${port}.conf`, "--cluster-require-full-coverage", "no",
    "--save", "", "--appendonly", "no", "--dir", dir,
  ];
  const start = async (): Promise<void> => {
    const proc = spawn(server, args, { stdio: "ignore" });
    child = proc;
    let spawnError: Error | undefined;
    proc.once("error", (err) => (spawnError = err));
    for (let attempt = 0; attempt < 100; attempt++) {
      if (spawnError !== undefined) throw spawnError;
      if (proc.exitCode !== null) throw new Error(`${server} exited with ${proc.exitCode} on port ${port}`);
      if (await ping(port)) return;
      await sleep(100);
    }
    throw new Error(`${server} did not answer on port ${port} within 10 s`);
  };
  const stop = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = once(proc, "exit");
    proc.kill("SIGKILL");
    await exited;
  };
  const signal = (name: NodeJS.Signals): void => {
    if (child === undefined || !child.kill(name)) throw new Error(`node on port ${port} is not running`);
  };
  await start();
  return {
    address: `127.0.0.1:${port}`,
    port,
    busPort: bus,
    start,
    stop,
    pause: () => signal("SIGSTOP"),
    resume: () => {
      if (child !== undefined && child.exitCode === null) child.kill("SIGCONT");
    },
  };
}

/** Assigns each node a third of the slots and a config epoch of its own, MEETs them, waits for `cluster_state:ok`. */
async function join3(nodes: readonly ClusterNodeProcess[]): Promise<void> {
  const clients = nodes.map((node) => new Redis({ host: "127.0.0.1", port: node.port, maxRetriesPerRequest: 0, lazyConnect: true }));
  try {
    for (const [i, client] of clients.entries()) {
      const first = Math.floor((SLOTS * i) / nodes.length);
      const last = Math.floor((SLOTS * (i + 1)) / nodes.length) - 1;
      await client.call("CLUSTER", "SET-CONFIG-EPOCH", String(i + 1));
      await client.call("CLUSTER", "ADDSLOTSRANGE", String(first), String(last));
    }
    for (const node of nodes.slice(1)) {
      await clients[0]!.call("CLUSTER", "MEET", "127.0.0.1", String(node.port), String(node.busPort));
    }
    for (let waited = 0; ; waited += 100) {
      const infos = await Promise.all(clients.map((client) => client.call("CLUSTER", "INFO") as Promise<string>));
      if (infos.every((info) => info.includes("cluster_state:ok") && info.includes(`cluster_known_nodes:${nodes.length}`))) return;
      if (waited > 15_000) throw new Error(`the throwaway cluster did not form within 15 s:\n${infos.join("\n")}`);
      await sleep(100);
    }
  } finally {
    for (const client of clients) client.disconnect();
  }
}
