import type { Cluster } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisBackend } from "../../src/stores/redis/redis-backend.ts";
import { createRedisStore } from "../../src/stores/redis/redis-store.ts";
import { generateSessionId } from "../../src/stores/session-id.ts";
import { loadSession } from "../support/sessions.ts";
import { CLUSTER_NODES, CLUSTER_SKIP, clusterDeletePrefix, clusterKeysUnder, connectCluster, connectNode, masterOf } from "../redis/cluster.ts";
import { testPrefix } from "../redis/env.ts";
import { describeModifyAndTouch } from "../redis/modify-suite.ts";
import { CookieJar } from "./cookie-jar.ts";
import { describeStoreContract } from "./contract.ts";
import { redisHarness } from "./harnesses.ts";

const onCluster = CLUSTER_NODES.length > 0;
const HASH_KEY = "h".repeat(32);

describe.skipIf(!onCluster)(`RedisStore on a Redis Cluster${CLUSTER_SKIP}`, () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = connectCluster();
    await cluster.ping();
  });
  afterAll(() => cluster.disconnect());

  describeStoreContract(
    "RedisStore on a Cluster",
    redisHarness(() => cluster, "cluster-contract", {}, { keysUnder: clusterKeysUnder, deletePrefix: clusterDeletePrefix }),
  );

  describe("RedisBackend on a Cluster", () => {
    const prefix = testPrefix("cluster-backend");
    const backend = (options: Partial<{ prefix: string; scanCount: number }> = {}): RedisBackend =>
      new RedisBackend({ client: cluster, prefix, commandTimeout: 1000, scanCount: 100, ...options });
    afterAll(() => clusterDeletePrefix(cluster, prefix));

    /** Two fresh ids whose keys live on different masters, so no one command can touch both. */
    async function idsOnTwoMasters(): Promise<[string, string]> {
      const first = generateSessionId();
      const owner = await masterOf(cluster, `${prefix}${first}`);
      for (;;) {
        const second = generateSessionId();
        if ((await masterOf(cluster, `${prefix}${second}`)) !== owner) return [first, second];
      }
    }

    it("replaces an id with one on another master: the new key written, then the old one deleted", async () => {
      const [oldId, newId] = await idsOnTwoMasters();
      const b = backend();
      await b.write(oldId, "before", 60);
      await b.replace(oldId, newId, "after", 60);
      expect(await b.read(oldId)).toBeUndefined();
      expect(await b.read(newId)).toBe("after");
      const ttl = await cluster.pttl(`${prefix}${newId}`);
      expect(ttl).toBeGreaterThan(50_000);
      expect(ttl).toBeLessThanOrEqual(60_000);
      // A MULTI over the same two keys is what a single Redis uses, and what a Cluster refuses.
      const tx = cluster.multi().set(`${prefix}${newId}`, "x").del(`${prefix}${oldId}`);
      await expect(tx.exec()).rejects.toThrow(/same slot|CROSSSLOT/i);
    });

    it("keeps the old id with its old data, and rejects, when deleting it fails after the new one was written", async () => {
      const [oldId, newId] = await idsOnTwoMasters();
      await backend().write(oldId, "before", 60);
      // A node that stops answering between the two commands: the DEL of the old key fails.
      const failingDel = new Proxy(cluster, {
        get(target, prop) {
          if (prop === "del") return () => Promise.reject(new Error("Connection is closed."));
          const value: unknown = Reflect.get(target, prop, target);
          return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      });
      const b = new RedisBackend({ client: failingDel, prefix, commandTimeout: 1000, scanCount: 100 });
      const err: unknown = await b.replace(oldId, newId, "after", 60).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: "store_unavailable" });
      expect(await cluster.get(`${prefix}${oldId}`)).toBe("before"); // never the regenerated data
      expect(await cluster.get(`${prefix}${newId}`)).toBe("after"); // under an id no cookie carries; it expires
    });

    it("deletes both ids for a TTL of 0", async () => {
      const [oldId, newId] = await idsOnTwoMasters();
      const b = backend();
      await b.write(oldId, "before", 60);
      await b.write(newId, "stale", 60);
      await b.replace(oldId, newId, "after", 0);
      expect(await cluster.exists(`${prefix}${oldId}`)).toBe(0);
      expect(await cluster.exists(`${prefix}${newId}`)).toBe(0);
    });

    it("clears the sessions on every master, in several SCAN steps, and nothing outside its shape", async () => {
      const own = testPrefix("cluster-clear");
      const b = backend({ prefix: own, scanCount: 7 });
      const ids = Array.from({ length: 60 }, () => generateSessionId());
      await Promise.all(ids.map((id) => b.write(id, "v", 60)));
      const owners = new Set(await Promise.all(ids.map((id) => masterOf(cluster, `${own}${id}`))));
      expect(owners.size).toBe(cluster.nodes("master").length);
      expect(owners.size).toBeGreaterThanOrEqual(3);
      const kept = [`${own}x`, `${own}${ids[0]}extra`, `${testPrefix("cluster-outside")}${ids[1]}`];
      for (const key of kept) await cluster.set(key, "foreign", "EX", 60);
      await b.clear();
      expect(await clusterKeysUnder(cluster, own)).toEqual(kept.slice(0, 2).sort());
      expect(await cluster.get(kept[2]!)).toBe("foreign");
      for (const key of kept) await cluster.del(key);
    });

    it("clears on a Cluster that is not connected yet", async () => {
      const lazy = connectCluster(CLUSTER_NODES, 1000, true);
      try {
        const own = testPrefix("cluster-lazy");
        const id = generateSessionId();
        await backend({ prefix: own }).write(id, "v", 60);
        expect(lazy.nodes("master")).toEqual([]);
        await new RedisBackend({ client: lazy, prefix: own, commandTimeout: 1000, scanCount: 10 }).clear();
        expect(await cluster.exists(`${own}${id}`)).toBe(0);
      } finally {
        lazy.disconnect();
      }
    });

    it("refuses a Cluster with an ioredis keyPrefix, its own or its nodes'", async () => {
      const { Cluster } = await import("ioredis");
      for (const options of [{ keyPrefix: "app:" }, { redisOptions: { keyPrefix: "app:" } }]) {
        const prefixed = new Cluster([...CLUSTER_NODES], { lazyConnect: true, ...options });
        try {
          expect(() => new RedisBackend({ client: prefixed, prefix, commandTimeout: 1000, scanCount: 10 })).toThrow(
            expect.objectContaining({ code: "invalid_option" }),
          );
        } finally {
          prefixed.disconnect();
        }
      }
    });
  });

  describe("RedisStore on a Cluster", () => {
    it("regenerates across slots, keeping the values, and a store over a url-less Cluster client leaves it open", async () => {
      const prefix = testPrefix("cluster-store");
      const store = createRedisStore({ client: cluster, prefix, hashKey: HASH_KEY });
      const jar = new CookieJar();
      try {
        let ctx = jar.context();
        const first = await loadSession(store, ctx, "app");
        first.set("user", "kataras");
        await first.save(ctx);
        jar.absorb(ctx.headers);
        const oldId = first.id;
        ctx = jar.context();
        const again = await loadSession(store, ctx, "app");
        await again.regenerate();
        jar.absorb(ctx.headers);
        expect(again.id).not.toBe(oldId);
        expect(await cluster.exists(`${prefix}${oldId}`)).toBe(0);
        expect(await cluster.exists(`${prefix}${again.id}`)).toBe(1);
        const loaded = await loadSession(store, jar.context(), "app");
        expect(loaded.id).toBe(again.id);
        expect(loaded.get("user")).toBe("kataras");
      } finally {
        await store.close();
        await clusterDeletePrefix(cluster, prefix);
      }
      expect(await cluster.ping()).toBe("PONG");
    });
  });
});

if (onCluster) {
  describeModifyAndTouch("a Redis Cluster", () => ({
    connect: () => connectCluster(),
    nodeOf: async (key, client) => connectNode(await masterOf(client as Cluster, key)),
    cleanup: (client, prefix) => clusterDeletePrefix(client as Cluster, prefix),
  }));
}
