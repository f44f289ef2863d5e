import { setTimeout as sleep } from "node:timers/promises";
import { inspect } from "node:util";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { SessionError } from "../../src/errors.ts";
import { sessions } from "../../src/session/manager.ts";
import { RedisStore, createRedisStore } from "../../src/stores/redis/redis-store.ts";
import { REDIS_URL, connect, deletePrefix, keysUnder, testPrefix } from "../redis/env.ts";
import { loadSession } from "../support/sessions.ts";
import { CookieJar } from "./cookie-jar.ts";

const HASH_KEY = "h".repeat(32);
const BLOCK_KEY = "b".repeat(32);
const client = connect();
afterAll(() => client.disconnect());

describe("RedisStore", () => {
  let prefix: string;
  let store: RedisStore;
  let errors: SessionError[];
  let jar: CookieJar;

  beforeEach(() => {
    prefix = testPrefix("store");
    errors = [];
    jar = new CookieJar();
    store = new RedisStore({ client, prefix, hashKey: HASH_KEY, blockKey: BLOCK_KEY, onError: (err) => errors.push(err) });
  });
  afterEach(async () => {
    await store.close();
    await deletePrefix(client, prefix);
  });

  /** Runs one request with the jar's cookies and keeps the cookies the response sets. */
  async function request<T>(fn: (ctx: ReturnType<CookieJar["context"]>) => Promise<T>): Promise<T> {
    const ctx = jar.context();
    const result = await fn(ctx);
    jar.absorb(ctx.headers);
    return result;
  }

  const keyOf = (id: string): string => `${prefix}${id}`;

  it("stores the session encrypted at rest under prefix + id, with a TTL of its maxAge", async () => {
    const id = await request(async (ctx) => {
      const session = await loadSession(store, ctx, "app");
      session.set("secret", "plain-text-marker");
      session.cookie.maxAge = 600;
      await session.save(ctx);
      return session.id;
    });
    const raw = await client.get(keyOf(id));
    expect(raw).toEqual(expect.any(String));
    expect(raw).not.toContain("plain-text-marker");
    expect(Buffer.from(raw ?? "", "base64").toString("latin1")).not.toContain("plain-text-marker");
    const ttl = await client.pttl(keyOf(id));
    expect(ttl).toBeGreaterThan(500_000);
    expect(ttl).toBeLessThanOrEqual(600_000);
  });

  it("lets the key expire with the session, after which the cookie gives a fresh session", async () => {
    const id = await request(async (ctx) => {
      const session = await loadSession(store, ctx, "app");
      session.set("n", 1);
      session.cookie.maxAge = 1;
      await session.save(ctx);
      return session.id;
    });
    const ttl = await client.pttl(keyOf(id));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(1000);
    for (let attempt = 0; attempt < 50 && (await client.exists(keyOf(id))) === 1; attempt++) await sleep(100);
    expect(await client.exists(keyOf(id))).toBe(0);
    const again = await request((ctx) => loadSession(store, ctx, "app"));
    expect(again.isNew).toBe(true);
    expect(again.get("n")).toBeUndefined();
  });

  it.each([
    [true, "refreshes"],
    [false, "leaves"],
  ])("with rolling %s, an unchanged request %s the TTL", async (rolling) => {
    const app = sessions("app", store, { rolling, cookie: { maxAge: 100 } });
    const id = await request(async (ctx) => {
      const session = await app.get(ctx);
      session.set("n", 1);
      await session.save(ctx);
      return session.id;
    });
    await client.pexpire(keyOf(id), 5000); // as if most of the maxAge had passed
    await request(async (ctx) => {
      const session = await app.get(ctx);
      expect(session.get("n")).toBe(1);
      await session.save(ctx);
    });
    const ttl = await client.pttl(keyOf(id));
    if (rolling) expect(ttl).toBeGreaterThan(90_000);
    else expect(ttl).toBeLessThanOrEqual(5000);
  });

  it("regenerates in one MULTI: the new key written, the old one deleted, values kept", async () => {
    const oldId = await request(async (ctx) => {
      const session = await loadSession(store, ctx, "app");
      session.set("user", "kataras");
      await session.save(ctx);
      return session.id;
    });
    const replace = vi.spyOn(store.backend, "replace");
    const write = vi.spyOn(store.backend, "write");
    const newId = await request(async (ctx) => {
      const session = await loadSession(store, ctx, "app");
      await session.regenerate();
      return session.id;
    });
    expect(newId).not.toBe(oldId);
    expect(replace).toHaveBeenCalledTimes(1);
    expect(replace.mock.calls[0]?.slice(0, 2)).toEqual([oldId, newId]);
    expect(write).not.toHaveBeenCalled();
    expect(await client.exists(keyOf(oldId))).toBe(0);
    expect(await client.exists(keyOf(newId))).toBe(1);
    const loaded = await request((ctx) => loadSession(store, ctx, "app"));
    expect(loaded.id).toBe(newId);
    expect(loaded.get("user")).toBe("kataras");
  });

  it("destroys: the key is deleted", async () => {
    const id = await request(async (ctx) => {
      const session = await loadSession(store, ctx, "app");
      session.set("n", 1);
      await session.save(ctx);
      return session.id;
    });
    await request(async (ctx) => (await loadSession(store, ctx, "app")).destroy());
    expect(await client.exists(keyOf(id))).toBe(0);
  });

  it("refuses a cookie whose id was not signed by its keys, before asking Redis", async () => {
    const foreign = new RedisStore({ client, prefix, hashKey: "x".repeat(32) });
    const other = new CookieJar();
    const ctx = other.context();
    const session = await loadSession(foreign, ctx, "app");
    session.set("n", 1);
    await session.save(ctx);
    other.absorb(ctx.headers);
    await foreign.close();
    const get = vi.spyOn(client, "get");
    const loaded = await loadSession(store, other.context(), "app");
    expect(loaded.isNew).toBe(true);
    expect(get).not.toHaveBeenCalled();
    expect(errors.map((err) => err.code)).toEqual(["invalid_mac"]);
    get.mockRestore();
  });

  it("clears its own sessions and leaves keys outside its prefix untouched", async () => {
    const outside = `${testPrefix("foreign")}keep`;
    await client.set(outside, "foreign", "EX", 60);
    for (let i = 0; i < 3; i++) {
      jar = new CookieJar();
      await request(async (ctx) => {
        const session = await loadSession(store, ctx, "app");
        session.set("i", i);
        await session.save(ctx);
      });
    }
    expect(await keysUnder(client, prefix)).toHaveLength(3);
    await store.clear();
    expect(await keysUnder(client, prefix)).toEqual([]);
    expect(await client.get(outside)).toBe("foreign");
    await client.del(outside);
  });

  it("leaves the sessions of a store whose prefix nests under its own when clearing", async () => {
    const admin = new RedisStore({ client, prefix: `${prefix}admin:`, hashKey: HASH_KEY });
    const saveOne = (target: RedisStore): Promise<string> =>
      request(async (ctx) => {
        const session = await loadSession(target, ctx, "app");
        session.set("n", 1);
        await session.save(ctx);
        return session.id;
      });
    const own = await saveOne(store);
    jar = new CookieJar();
    const nested = await saveOne(admin);
    await store.clear();
    expect(await client.exists(keyOf(own))).toBe(0);
    expect(await client.exists(`${prefix}admin:${nested}`)).toBe(1);
    await admin.clear();
    expect(await client.exists(`${prefix}admin:${nested}`)).toBe(0);
    await admin.close();
  });
});

describe("createRedisStore", () => {
  it("creates its own client from url and closes it on close()", async () => {
    const prefix = testPrefix("owned");
    const store = createRedisStore({ url: REDIS_URL, prefix, hashKey: HASH_KEY });
    try {
      const jar = new CookieJar();
      const ctx = jar.context();
      const session = await loadSession(store, ctx, "app");
      session.set("n", 1);
      await session.save(ctx);
      expect(await client.exists(`${prefix}${session.id}`)).toBe(1);
      await store.close();
      await expect(store.client.ping()).rejects.toThrow(/Connection is closed/);
    } finally {
      await store.close();
      await deletePrefix(client, prefix);
    }
  });

  it("leaves a client it was given open on close()", async () => {
    const store = createRedisStore({ client, prefix: testPrefix("shared"), hashKey: HASH_KEY });
    await store.close();
    expect(await client.ping()).toBe("PONG");
  });

  it.each([
    ["both client and url", { client, url: REDIS_URL }],
    ["an empty prefix", { client, prefix: "" }],
    ["a negative commandTimeout", { client, commandTimeout: -1 }],
  ])("refuses %s with invalid_option", (_, options) => {
    expect(() => createRedisStore({ hashKey: HASH_KEY, ...options })).toThrow(
      expect.objectContaining({ code: "invalid_option" }),
    );
  });
});

describe("RedisStore and the Redis password", () => {
  it("keeps the password of its url out of what inspecting the store shows (only store.client holds it)", async () => {
    const marker = "s3cret-marker";
    const store = createRedisStore({ url: `redis://:${marker}@127.0.0.1:6379`, redisOptions: { lazyConnect: true }, hashKey: HASH_KEY });
    try {
      expect(inspect(store, { depth: Infinity, showHidden: true })).not.toContain(marker);
      expect(JSON.stringify(store)).not.toContain(marker);
      expect(Object.keys(store)).not.toContain("url");
      expect(Object.keys(store)).not.toContain("client");
      expect(store.client.options.password).toBe(marker); // the client needs it to reconnect
    } finally {
      store.client.disconnect();
      await store.close();
    }
  });
});
