import type { Cluster, Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isSessionError } from "../../src/errors.ts";
import { MODIFY_ATTEMPTS, RedisBackend } from "../../src/stores/redis/redis-backend.ts";
import { generateSessionId } from "../../src/stores/session-id.ts";
import { RedisStore } from "../../src/stores/redis/redis-store.ts";
import { sessions } from "../../src/session/manager.ts";
import { CookieJar } from "../stores/cookie-jar.ts";
import { type KeyMonitor, monitorKey } from "./monitor.ts";
import { testPrefix } from "./env.ts";

/** Where {@link describeModifyAndTouch} runs: a single Redis or a Cluster. */
export interface ModifyTarget {
  /** A new client (the suite closes it). */
  connect(): Redis | Cluster;
  /** A plain client to the node that holds `key` (the suite closes it), for MONITOR. */
  nodeOf(key: string, client: Redis | Cluster): Promise<Redis>;
  /** Deletes every key under `prefix`. */
  cleanup(client: Redis | Cluster, prefix: string): Promise<void>;
}

type Next = Parameters<RedisBackend["modify"]>[1];

/**
 * A client that lets `before` run (and finish) before each EVALSHA it sends: another client's write or
 * delete then lands between the modify's read and its compare-and-set, every time.
 */
function interfering<C extends Redis | Cluster>(client: C, before: () => Promise<unknown>): C {
  return new Proxy(client, {
    get(target, prop) {
      if (prop === "evalsha") {
        return async (...args: unknown[]) => {
          await before();
          return (target.evalsha as (...a: unknown[]) => Promise<unknown>)(...args);
        };
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** Increments a decimal counter, creating it at 1. */
const increment: Next = (current) => ({ data: String(Number(current ?? "0") + 1), ttlSeconds: 60 });

/**
 * RedisBackend's `modify` (an atomic read-modify-write by compare-and-set) and `touch` (one PEXPIRE), on
 * `target`: creation, refusal of a destroyed session, concurrent increments from several clients, writes and
 * deletes that land between read and write, the retry bound, and MONITOR's count of touch's commands.
 */
export function describeModifyAndTouch(label: string, target: () => ModifyTarget): void {
  describe(`RedisBackend modify and touch on ${label}`, () => {
    let t: ModifyTarget;
    let client: Redis | Cluster;
    let other: Redis | Cluster;
    const prefix = testPrefix("modify");
    const backend = (over: Redis | Cluster = client): RedisBackend =>
      new RedisBackend({ client: over, prefix, commandTimeout: 1000, scanCount: 100 });

    beforeAll(() => {
      t = target();
      client = t.connect();
      other = t.connect();
    });
    afterAll(async () => {
      await t.cleanup(client, prefix);
      client.disconnect();
      other.disconnect();
    });

    it("creates a missing session with what next returns, with its TTL, and passes next undefined", async () => {
      const id = generateSessionId();
      const seen: (string | undefined)[] = [];
      const wrote = await backend().modify(id, (current) => (seen.push(current), { data: "first", ttlSeconds: 30.5 }));
      expect(wrote).toBe(true);
      expect(seen).toEqual([undefined]);
      expect(await client.get(`${prefix}${id}`)).toBe("first");
      const ttl = await client.pttl(`${prefix}${id}`);
      expect(ttl).toBeGreaterThan(20_000);
      expect(ttl).toBeLessThanOrEqual(30_500);
    });

    it("writes on top of the stored value, and keeps no expiry for an infinite TTL", async () => {
      const id = generateSessionId();
      await backend().write(id, "a", 60);
      expect(await backend().modify(id, (current) => ({ data: `${current}+b`, ttlSeconds: Infinity }))).toBe(true);
      expect(await client.get(`${prefix}${id}`)).toBe("a+b");
      expect(await client.pttl(`${prefix}${id}`)).toBe(-1);
    });

    it("writes nothing and resolves false when next returns undefined (a destroyed session stays destroyed)", async () => {
      const id = generateSessionId();
      expect(await backend().modify(id, (current) => (current === undefined ? undefined : { data: "x", ttlSeconds: 60 }))).toBe(false);
      expect(await client.exists(`${prefix}${id}`)).toBe(0);
    });

    it("deletes the session, resolving false, for a TTL of 0", async () => {
      const id = generateSessionId();
      await backend().write(id, "a", 60);
      expect(await backend().modify(id, () => ({ data: "b", ttlSeconds: 0 }))).toBe(false);
      expect(await client.exists(`${prefix}${id}`)).toBe(0);
    });

    it("lands all of 200 concurrent increments of one session from four clients", async () => {
      const id = generateSessionId();
      const clients = [client, other, t.connect(), t.connect()];
      let calls = 0;
      const counting: Next = (current) => (calls++, increment(current));
      try {
        const backends = clients.map((c) => backend(c));
        const results = await Promise.all(Array.from({ length: 200 }, (_, i) => backends[i % backends.length]!.modify(id, counting)));
        expect(results.every((wrote) => wrote)).toBe(true);
        expect(await client.get(`${prefix}${id}`)).toBe("200");
        // The races were real: some saves read a value that moved before they could write.
        expect(calls).toBeGreaterThan(200);
      } finally {
        for (const extra of clients.slice(2)) extra.disconnect();
      }
    });

    it("computes again on the value a concurrent write left between its read and its write", async () => {
      const id = generateSessionId();
      await backend().write(id, "1", 60);
      let interfered = false;
      const racing = interfering(client, async () => {
        if (!interfered) await other.set(`${prefix}${id}`, "10", "EX", 60);
        interfered = true;
      });
      const seen: (string | undefined)[] = [];
      expect(await backend(racing).modify(id, (current) => (seen.push(current), increment(current)))).toBe(true);
      expect(seen).toEqual(["1", "10"]);
      expect(await client.get(`${prefix}${id}`)).toBe("11");
    });

    it("does not bring back a session deleted between its read and its write", async () => {
      const id = generateSessionId();
      await backend().write(id, "1", 60);
      let deleted = false;
      const racing = interfering(client, async () => {
        if (!deleted) await other.del(`${prefix}${id}`);
        deleted = true;
      });
      const seen: (string | undefined)[] = [];
      // What ServerStore's next does: a session that is gone is not written again.
      const wrote = await backend(racing).modify(id, (current) => (seen.push(current), current === undefined ? undefined : increment(current)));
      expect(wrote).toBe(false);
      expect(seen).toEqual(["1", undefined]);
      expect(await client.exists(`${prefix}${id}`)).toBe(0);
    });

    it("does not overwrite a session created between its read (none) and its write", async () => {
      const id = generateSessionId();
      let created = false;
      const racing = interfering(client, async () => {
        if (!created) await other.set(`${prefix}${id}`, "5", "EX", 60);
        created = true;
      });
      expect(await backend(racing).modify(id, increment)).toBe(true);
      expect(await client.get(`${prefix}${id}`)).toBe("6");
    });

    it(`gives up with store_unavailable after ${MODIFY_ATTEMPTS} attempts that all lost the race, writing nothing`, async () => {
      const id = generateSessionId();
      let interlopers = 0;
      const racing = interfering(client, () => other.set(`${prefix}${id}`, `other-${++interlopers}`, "EX", 60));
      let calls = 0;
      const err: unknown = await backend(racing)
        .modify(id, (current) => (calls++, { data: `mine-over-${current}`, ttlSeconds: 60 }))
        .catch((e: unknown) => e);
      expect(isSessionError(err, "store_unavailable"), String(err)).toBe(true);
      expect((err as Error).message).toMatch(/concurrent saves/);
      expect(calls).toBe(MODIFY_ATTEMPTS);
      expect(await client.get(`${prefix}${id}`)).toBe(`other-${MODIFY_ATTEMPTS}`);
    });

    describe("touch", () => {
      let monitor: KeyMonitor | undefined;
      let node: Redis | undefined;
      afterAll(() => {
        monitor?.stop();
        node?.disconnect();
      });

      it("moves the expiry with exactly one command, a PEXPIRE, without reading or rewriting the data", async () => {
        const id = generateSessionId();
        const key = `${prefix}${id}`;
        await backend().write(id, "data", 5);
        node = await t.nodeOf(key, client);
        monitor = await monitorKey(node, key);
        expect(await backend().touch(id, 600)).toBe(true);
        expect(await monitor.commands()).toEqual([["pexpire", key, "600000"]]);
        const ttl = await client.pttl(key);
        expect(ttl).toBeGreaterThan(590_000);
        expect(ttl).toBeLessThanOrEqual(600_000);
        expect(await client.get(key)).toBe("data");

        // A save that rewrites the data, for comparison: SET with the data.
        await monitor.reset();
        await backend().update(id, "data", 600);
        expect((await monitor.commands()).map(([name]) => name)).toEqual(["set"]);
      });

      it("reads a value with when it expires in one EVALSHA (GET and PTTL inside), after a touch too", async () => {
        const id = generateSessionId();
        const key = `${prefix}${id}`;
        await backend().write(id, "data", 60);
        await backend().readWithExpiry(id); // the script is loaded (a node without it answers NOSCRIPT once)
        const reader = await t.nodeOf(key, client);
        const watch = await monitorKey(reader, key);
        try {
          const before = Date.now() / 1000;
          const read = await backend().readWithExpiry(id);
          expect(read?.data).toBe("data");
          expect(read?.expiresAt).toBeGreaterThan(before + 58);
          expect(read?.expiresAt).toBeLessThanOrEqual(Date.now() / 1000 + 60.01);
          expect((await watch.commands()).map(([name]) => name)).toEqual(["evalsha", "get", "pttl"]);
          await backend().touch(id, 600);
          expect((await backend().readWithExpiry(id))?.expiresAt).toBeGreaterThan(Date.now() / 1000 + 590);
          await backend().touch(id, Infinity);
          expect((await backend().readWithExpiry(id))?.expiresAt).toBe(Infinity);
          expect(await backend().readWithExpiry(generateSessionId())).toBeUndefined();
        } finally {
          watch.stop();
          reader.disconnect();
        }
      });

      it("refreshes an idle timeout with a PEXPIRE, and the touch counts as an access on the next load", async () => {
        const store = new RedisStore({ client, prefix: `${prefix}idle:`, hashKey: "i".repeat(32), cookie: { maxAge: 600 } });
        const manager = sessions("idle", store, { idleTimeout: 10 }); // refreshed once a second has passed
        const jar = new CookieJar();
        const first = jar.context();
        (await manager.get(first)).set("user", "ada");
        await (await manager.get(first)).save();
        jar.absorb(first.headers);
        const [key] = await keysUnder(client, `${prefix}idle:`, "");
        if (key === undefined) throw new Error("the session was not written");
        const reader = await t.nodeOf(key, client);
        const watch = await monitorKey(reader, key);
        try {
          await new Promise((resolve) => setTimeout(resolve, 1100));
          const second = jar.context();
          const session = await manager.get(second);
          expect(session.get("user")).toBe("ada");
          await session.save();
          expect(second.headers.getSetCookie()).toEqual([]); // its expiry does not move without rolling
          // (an EVAL after the EVALSHA would be a Cluster node seeing the script for the first time: NOSCRIPT)
          const commands = (await watch.commands()).map(([name]) => name).filter((name) => name !== "eval");
          expect(commands).toEqual(["evalsha", "get", "pttl", "pexpire"]);
        } finally {
          watch.stop();
          reader.disconnect();
        }
      });

      it("resolves false for a missing session and creates nothing", async () => {
        const id = generateSessionId();
        expect(await backend().touch(id, 60)).toBe(false);
        expect(await client.exists(`${prefix}${id}`)).toBe(0);
      });

      it("sets millisecond expiries for fractions, removes the expiry for Infinity, deletes for 0", async () => {
        const id = generateSessionId();
        const key = `${prefix}${id}`;
        await backend().write(id, "data", 60);
        expect(await backend().touch(id, 2.5)).toBe(true);
        expect(await client.pttl(key)).toBeLessThanOrEqual(2500);
        expect(await client.pttl(key)).toBeGreaterThan(1000);
        expect(await backend().touch(id, Infinity)).toBe(true);
        expect(await client.pttl(key)).toBe(-1);
        expect(await backend().touch(id, Infinity)).toBe(true); // no expiry to remove, but the key is there
        expect(await backend().touch(generateSessionId(), Infinity)).toBe(false);
        expect(await backend().touch(id, 0)).toBe(false);
        expect(await client.exists(key)).toBe(0);
      });
    });
  });
}

/** The keys under `prefix` whose rest starts with `start` (every master of a Cluster). */
async function keysUnder(client: Redis | Cluster, prefix: string, start: string): Promise<string[]> {
  const nodes = "nodes" in client ? client.nodes("master") : [client];
  const found: string[] = [];
  for (const node of nodes) found.push(...(await node.keys(`${prefix}${start}*`)));
  return found;
}
