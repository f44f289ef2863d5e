import type { Cluster } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isSessionError } from "../../src/errors.ts";
import { RedisBackend } from "../../src/stores/redis/redis-backend.ts";
import { RedisStore } from "../../src/stores/redis/redis-store.ts";
import { generateSessionId } from "../../src/stores/session-id.ts";
import { freshSession, loadSession } from "../support/sessions.ts";
import { clusterReady, connectCluster, masterOf } from "../redis/cluster.ts";
import { type ClusterNodeProcess, type ThrowawayCluster, startThrowawayCluster } from "../redis/cluster-server.ts";
import { testPrefix } from "../redis/env.ts";
import { CookieJar } from "./cookie-jar.ts";

// A cluster of its own (not REDIS_CLUSTER_NODES, which other test files share): these tests kill and freeze
// its nodes.
const COMMAND_TIMEOUT = 1000;
let cluster: ThrowawayCluster;
let client: Cluster;
let backend: RedisBackend;
const prefix = testPrefix("cluster-outage");

beforeAll(async () => {
  cluster = await startThrowawayCluster();
  client = connectCluster(cluster.startup, COMMAND_TIMEOUT);
  await clusterReady(client);
  backend = new RedisBackend({ client, prefix, commandTimeout: COMMAND_TIMEOUT, scanCount: 100 });
}, 30_000);
afterAll(async () => {
  client?.disconnect();
  await cluster?.close();
});

/** Settles `promise` into its rejection (or a marker when it resolved), failing after a generous bound. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise((resolve) => (timer = setTimeout(() => resolve("still pending"), 10 * COMMAND_TIMEOUT)));
  try {
    return await Promise.race([promise.then(() => "resolved", (err: unknown) => err), hang]);
  } finally {
    clearTimeout(timer);
  }
}

/** Retries `run` until it succeeds, at most ~10 s: the client reconnects by itself meanwhile. */
async function whenBack<T>(run: () => Promise<T>): Promise<T> {
  let last: unknown;
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      return await run();
    } catch (err) {
      last = err;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw last;
}

/** A fresh id whose key lives on `node` (or, without one, anywhere), and the node process that holds it. */
async function idOn(node?: ClusterNodeProcess): Promise<{ id: string; node: ClusterNodeProcess }> {
  for (;;) {
    const id = generateSessionId();
    const owner = await masterOf(client, `${prefix}${id}`);
    const process = cluster.nodes.find((candidate) => candidate.address === owner);
    if (process !== undefined && (node === undefined || process === node)) return { id, node: process };
  }
}

/** A node other than `node`. */
const otherThan = (node: ClusterNodeProcess): ClusterNodeProcess => cluster.nodes.find((candidate) => candidate !== node)!;

describe("RedisBackend on a Cluster when a master goes away", () => {
  it("fails the sessions of a stopped master with store_unavailable, keeps serving the others, then recovers", async () => {
    const down = await idOn();
    const up = await idOn(otherThan(down.node));
    await backend.write(down.id, "v1", 60);
    await backend.write(up.id, "v2", 60);

    await down.node.stop();
    try {
      const attempts = [
        () => backend.read(down.id),
        () => backend.write(down.id, "v3", 60),
        () => backend.modify(down.id, (current) => ({ data: `${current}+`, ttlSeconds: 60 })),
        () => backend.touch(down.id, 60),
        // A master it cannot scan is an error, not a silent partial clear (of a prefix of its own: what it
        // can reach, it clears).
        () => new RedisBackend({ client, prefix: testPrefix("cluster-outage-clear"), commandTimeout: COMMAND_TIMEOUT, scanCount: 100 }).clear(),
      ];
      for (const err of await Promise.all(attempts.map((attempt) => rejection(attempt())))) {
        expect(isSessionError(err, "store_unavailable"), String(err)).toBe(true);
      }
      // One session per key: the sessions on the other masters are not affected.
      expect(await backend.read(up.id)).toBe("v2");
    } finally {
      await down.node.start();
    }
    // The restarted node kept nothing (no persistence) but its slots: the same client works again.
    expect(await whenBack(() => backend.read(down.id))).toBeUndefined();
    await whenBack(() => backend.write(down.id, "v4", 60));
    expect(await backend.modify(down.id, (current) => ({ data: `${current}+`, ttlSeconds: 60 }))).toBe(true);
    expect(await backend.read(down.id)).toBe("v4+");
    expect(await backend.touch(down.id, 120)).toBe(true);
  });

  it("fails with store_unavailable when a master stops answering, then answers again", async () => {
    const frozen = await idOn();
    await whenBack(() => backend.write(frozen.id, "v", 60));
    frozen.node.pause();
    try {
      const started = Date.now();
      const err = await rejection(backend.read(frozen.id));
      expect(isSessionError(err, "store_unavailable"), String(err)).toBe(true);
      expect((err as Error).message).toMatch(/no answer within/);
      expect(Date.now() - started).toBeLessThan(1.5 * COMMAND_TIMEOUT);
    } finally {
      frozen.node.resume();
    }
    expect(await whenBack(() => backend.read(frozen.id))).toBe("v");
  });
});

describe("RedisStore on a Cluster when a master goes away", () => {
  it("rejects get and save with store_unavailable while the master of a session is down, and the same store recovers", async () => {
    const store = new RedisStore({ client, prefix, commandTimeout: COMMAND_TIMEOUT, hashKey: "h".repeat(32) });
    const jar = new CookieJar();
    const first = jar.context();
    const session = freshSession(store, first, "app");
    session.set("n", 1);
    await whenBack(() => session.save(first));
    jar.absorb(first.headers);
    const owner = await masterOf(client, `${prefix}${session.id}`);
    const node = cluster.nodes.find((candidate) => candidate.address === owner)!;
    const loaded = jar.context();
    const before = await loadSession(store, loaded, "app"); // loaded while its master is up

    await node.stop();
    try {
      const failedGet = await rejection(loadSession(store, jar.context(), "app"));
      expect(isSessionError(failedGet, "store_unavailable"), String(failedGet)).toBe(true);
      before.set("n", 2);
      const failedSave = await rejection(before.save(loaded));
      expect(isSessionError(failedSave, "store_unavailable"), String(failedSave)).toBe(true);
      expect(loaded.headers.getSetCookie()).toEqual([]); // no cookie for data that was not stored
    } finally {
      await node.start();
    }
    const after = jar.context();
    const reloaded = await whenBack(() => loadSession(store, after, "app"));
    expect(reloaded.isNew).toBe(true); // the restarted node kept nothing
    reloaded.set("n", 3);
    await reloaded.save(after);
    jar.absorb(after.headers);
    expect((await loadSession(store, jar.context(), "app")).get("n")).toBe(3);
    await store.close();
  });
});
