import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SessionValidationError, type SessionError } from "../../src/errors.ts";
import type { RequestContext } from "../../src/http/request-context.ts";
import { sessions } from "../../src/session/manager.ts";
import type { Store } from "../../src/stores/store.ts";
import { CookieStore } from "../../src/stores/cookie-store.ts";
import { FilesystemStore } from "../../src/stores/fs/fs-store.ts";
import { MemoryStore } from "../../src/stores/memory-store.ts";
import { RedisStore } from "../../src/stores/redis/redis-store.ts";
import { kitchenSink } from "../fixtures/schemas/kitchen-sink.gen.ts";
import { user } from "../../schemas/user.gen.ts";
import { connect, deletePrefix, testPrefix } from "../redis/env.ts";
import { CookieJar } from "../stores/cookie-jar.ts";

const hashKey = "h".repeat(32);
const blockKey = "b".repeat(32);
const redis = connect();
const redisPrefix = testPrefix("typed");
const dirs: string[] = [];
afterAll(async () => {
  await deletePrefix(redis, redisPrefix);
  redis.disconnect();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const stores: [string, () => Promise<Store>][] = [
  ["cookie", async () => new CookieStore({ hashKey, blockKey })],
  ["memory", async () => new MemoryStore({ hashKey, blockKey })],
  [
    "filesystem",
    async () => {
      const dir = await mkdtemp(path.join(tmpdir(), "typed-sessions-"));
      dirs.push(dir);
      return new FilesystemStore({ dir, hashKey, blockKey });
    },
  ],
  ["redis", async () => new RedisStore({ client: redis, prefix: redisPrefix, hashKey, blockKey })],
];

/** Runs one request with the jar's cookies and keeps the cookies the response sets. */
async function request<T>(jar: CookieJar, fn: (ctx: RequestContext) => Promise<T>): Promise<T> {
  const ctx = jar.context();
  const result = await fn(ctx);
  jar.absorb(ctx.headers);
  return result;
}

describe.each(stores)("a generated typed session in the %s store", (_label, makeStore) => {
  it("keeps Dates, Maps, Sets and BigInts through a save and a load", async () => {
    const store = await makeStore();
    const jar = new CookieJar();
    const createdAt = new Date("2024-05-06T07:08:09.010Z");
    await request(jar, async (ctx) => {
      const s = await kitchenSink.sessions(store).get(ctx);
      s.title = "hello";
      s.version = 2;
      s.createdAt = createdAt;
      s.seenBy = new Map([["alice", new Date(1)]]);
      s.roles = new Set(["read", "write"] as const);
      s.balance = 12345678901234567890n;
      s.address = { street: "Main", geo: { lat: 1.5, lng: -2 } };
      s.addFlash({ level: "warn", at: new Date(2) });
      await s.save();
    });
    await request(jar, async (ctx) => {
      const s = await kitchenSink.sessions(store).get(ctx);
      expect(s.isNew).toBe(false);
      expect(s.createdAt).toEqual(createdAt);
      expect(s.createdAt).toBeInstanceOf(Date);
      expect(s.seenBy).toEqual(new Map([["alice", new Date(1)]]));
      expect(s.roles).toEqual(new Set(["read", "write"]));
      expect(s.balance).toBe(12345678901234567890n);
      expect(s.address).toEqual({ street: "Main", geo: { lat: 1.5, lng: -2 } });
      expect(s.flashes()).toEqual([{ level: "warn", at: new Date(2) }]);
      expect(s.count).toBe(0);
    });
  });

  it("applies defaults and drops unknown keys when it decodes", async () => {
    const store = await makeStore();
    const jar = new CookieJar();
    await request(jar, async (ctx) => {
      const raw = await sessions("user_sessions", store, { serializer: user.config.serializer }).get(ctx);
      raw.set("name", "kataras");
      raw.set("stale", "from an old schema");
      await raw.save();
    });
    await request(jar, async (ctx) => {
      const s = await user.sessions(store).get(ctx);
      expect(s.name).toBe("kataras");
      expect(s.untyped.get("visits")).toBe(0);
      expect(s.untyped.get("cart")).toEqual([]);
      expect(s.untyped.has("stale")).toBe(false);
    });
  });

  it("starts a fresh session and reports the error when authentic data does not fit (onInvalid reset)", async () => {
    const store = await makeStore();
    const jar = new CookieJar();
    const errors: SessionError[] = [];
    await request(jar, async (ctx) => {
      const raw = await sessions("user_sessions", store, { serializer: user.config.serializer }).get(ctx);
      raw.set("name", "kataras");
      raw.set("visits", -3);
      await raw.save();
    });
    await request(jar, async (ctx) => {
      const s = await user.sessions(store, { onError: (err) => errors.push(err), onInvalid: "reset" }).get(ctx);
      expect(s.isNew).toBe(true);
      expect(s.name).toBe("");
    });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(SessionValidationError);
    expect((errors[0] as SessionValidationError).issues.map((i) => i.path)).toEqual(["visits"]);
  });

  it("repairs by default: the field that does not fit gets its default, the rest is kept, the error is reported", async () => {
    const store = await makeStore();
    const jar = new CookieJar();
    const errors: SessionError[] = [];
    await request(jar, async (ctx) => {
      const raw = await sessions("user_sessions", store, { serializer: user.config.serializer }).get(ctx);
      raw.set("name", "kataras");
      raw.set("visits", -3);
      await raw.save();
    });
    await request(jar, async (ctx) => {
      const s = await user.sessions(store, { onError: (err) => errors.push(err) }).get(ctx);
      expect(s.isNew).toBe(false);
      expect(s.name).toBe("kataras");
      expect(s.visits).toBe(0);
    });
    expect(errors).toHaveLength(1);
    expect((errors[0] as SessionValidationError).issues.map((i) => i.path)).toEqual(["visits"]);
  });

  it("throws a SessionValidationError with dotted paths when the definition says onInvalid throw", async () => {
    const store = await makeStore();
    const jar = new CookieJar();
    await request(jar, async (ctx) => {
      const raw = await sessions("kitchen_sink", store, { serializer: kitchenSink.config.serializer }).get(ctx);
      raw.set("address", { street: 7, geo: { lat: "north", lng: 0 } });
      await raw.save();
    });
    await request(jar, async (ctx) => {
      const err = await kitchenSink.sessions(store).get(ctx).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(SessionValidationError);
      expect((err as SessionValidationError).code).toBe("invalid_session_data");
      expect((err as SessionValidationError).issues.map((i) => i.path)).toEqual(["address.street", "address.geo.lat"]);
    });
  });
});

describe("generated accessors", () => {
  const store = new MemoryStore({ hashKey });

  it("read defaults on a new session and write through the field's schema", async () => {
    const s = await user.sessions(store).get(new CookieJar().context());
    expect(s.name).toBe("");
    expect(s.visits).toBe(0);
    expect(s.lastSeen).toBeUndefined();
    s.name = "kataras";
    s.visits += 1;
    s.lastSeen = new Date(0);
    expect(s.untyped.values()).toEqual({ name: "kataras", visits: 1, lastSeen: new Date(0) });
    s.lastSeen = undefined;
    expect(s.untyped.has("lastSeen")).toBe(false);
  });

  it("reject a bad runtime value with a typed error naming the field", async () => {
    const s = await user.sessions(store).get(new CookieJar().context());
    expect(() => {
      s.visits = -1;
    }).toThrow(SessionValidationError);
    expect(() => {
      (s as unknown as { name: unknown }).name = 42;
    }).toThrow(/name/);
    let caught: unknown;
    try {
      s.cart = [{ sku: "", qty: 1 }];
    } catch (err) {
      caught = err;
    }
    expect((caught as SessionValidationError).issues.map((i) => i.path)).toEqual(["cart.0.sku"]);
    expect(s.untyped.has("cart")).toBe(false);
  });

  it("delete one field back to its default, and clear every field and flash", async () => {
    const store = new CookieStore({ hashKey, blockKey });
    const jar = new CookieJar();
    await request(jar, async (ctx) => {
      const s = await user.sessions(store).get(ctx);
      s.name = "kataras";
      s.visits = 3;
      s.addFlash({ kind: "info", text: "hi" });
      await s.save();
    });
    await request(jar, async (ctx) => {
      const s = await user.sessions(store).get(ctx);
      s.delete("name");
      expect(s.name).toBe("");
      expect(s.visits).toBe(3);
      await s.save();
    });
    await request(jar, async (ctx) => {
      const s = await user.sessions(store).get(ctx);
      expect(s.name).toBe("");
      expect(s.peekFlashes()).toHaveLength(1);
      s.clear();
      expect(s.visits).toBe(0);
      expect(s.peekFlashes()).toEqual([]);
      await s.save();
    });
    const last = await request(jar, async (ctx) => (await user.sessions(store).get(ctx)).toJSON());
    expect(last).toEqual({ name: "", visits: 0, cart: [] });
  });

  it("check flash messages against the flash schema", async () => {
    const s = await user.sessions(store).get(new CookieJar().context());
    s.addFlash({ kind: "info", text: "saved" });
    expect(() => s.addFlash({ kind: "loud", text: "x" } as never)).toThrow(SessionValidationError);
    expect(s.peekFlashes()).toEqual([{ kind: "info", text: "saved" }]);
    expect(s.flashes()).toEqual([{ kind: "info", text: "saved" }]);
    expect(s.flashes()).toEqual([]);
  });
});
