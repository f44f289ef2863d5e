import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { KeyPair } from "../../src/codec/keys.ts";
import { createHash } from "node:crypto";
import { jsonSerializer } from "../../src/serializers/serializers.ts";
import { type SessionError, isSessionError } from "../../src/errors.ts";
import type { CookieOptions } from "../../src/http/cookie-options.ts";
import type { ErrorInfo } from "../../src/session/session-config.ts";
import { saveAll, sessions } from "../../src/session/manager.ts";
import type { Store } from "../../src/stores/store.ts";
import type { ServerStore } from "../../src/stores/server-store.ts";
import { generateSessionId } from "../../src/stores/session-id.ts";
import { codecFor } from "../../src/stores/store-options.ts";
import { freshSession, loadSession } from "../support/sessions.ts";
import { CookieJar } from "./cookie-jar.ts";
import { describeConcurrencyContract } from "./concurrency-contract.ts";
import { describeDataContract } from "./data-contract.ts";

/** What the contract suite asks a store factory for. */
export interface ContractStoreOptions {
  /** Key pairs, newest first. */
  keys: KeyPair[];
  /** The clock, in Unix seconds. */
  now: () => number;
  /** The store-level error hook. */
  onError: (err: SessionError, info: ErrorInfo) => void;
  /** Default cookie options. */
  cookie?: Partial<CookieOptions>;
}

/** One test's store setup: every `make` call shares the same backend (same directory, map, Redis prefix). */
export interface StoreHarness {
  /** True for stores that keep data on the server (ids, regenerate deletes old data). */
  readonly serverSide: boolean;
  /** Builds a store over the shared backend. */
  make(options: ContractStoreOptions): Store;
  /**
   * Server-side stores: the remaining time to live, in seconds, of every session data entry the backend
   * holds at test time `now` (the test clock for memory and files, Redis's own clock for Redis).
   */
  stored?(now: number): Promise<number[]>;
  /** Closes stores and removes what the test left behind. */
  cleanup(): Promise<void>;
}

const KEY_A: KeyPair = { hashKey: "a".repeat(32), blockKey: "A".repeat(32) };
const KEY_B: KeyPair = { hashKey: "b".repeat(32), blockKey: "B".repeat(32) };
const START = 1_700_000_000;
const MAX_AGE = /Max-Age|Expires/i;

/** What this codebase wrote before sessions kept their maxAge: `ts1 <createdAt> <accessedAt>\n` + values. */
function oldPayload(createdAt: number, values: Record<string, unknown>): Uint8Array {
  return Buffer.concat([Buffer.from(`ts1 ${createdAt} ${createdAt}\n`, "latin1"), jsonSerializer.serialize(values)]);
}

/** The codec name server-side data is signed under (server-store.ts): the session name and a hash of the id. */
function dataName(name: string, id: string): string {
  return `${name}#${createHash("sha256").update(id).digest("base64url").slice(0, 16)}`;
}

/**
 * Runs the store contract against the stores `harness` builds: round trip, options copied per session,
 * flashes, destroy, maxAge -1 / 0, regenerate, dirty tracking, tampering, expiry, key rotation, and two
 * sessions in one response; then the data contract (describeDataContract).
 */
export function describeStoreContract(label: string, harness: () => Promise<StoreHarness>): void {
  describe(`${label} store contract`, () => {
    let h: StoreHarness;
    let clock: number;
    let errors: SessionError[];
    let jar: CookieJar;
    const make = (keys: KeyPair[] = [KEY_A], options: Partial<CookieOptions> = {}): Store =>
      h.make({ keys, now: () => clock, onError: (err) => errors.push(err), cookie: options });

    beforeEach(async () => {
      h = await harness();
      clock = START;
      errors = [];
      jar = new CookieJar();
    });
    afterEach(async () => {
      await h.cleanup();
    });

    /** Runs one request against `store` with the jar's cookies; returns the response headers. */
    async function request(fn: (ctx: ReturnType<CookieJar["context"]>) => Promise<void>): Promise<Headers> {
      const ctx = jar.context();
      await fn(ctx);
      jar.absorb(ctx.headers);
      return ctx.headers;
    }

    it("starts a new session when the request has no cookie", async () => {
      const s = sessions("contract", make());
      await request(async (ctx) => {
        const session = await s.get(ctx);
        expect(session.isNew).toBe(true);
        expect(session.keys()).toEqual([]);
      });
    });

    it("persists values across requests, Dates included", async () => {
      const s = sessions("contract", make());
      const when = new Date("2024-01-02T03:04:05Z");
      const first = await request(async (ctx) => {
        const session = await s.get(ctx);
        session.set("name", "kataras").set("visits", 3).set("when", when);
        await session.save(ctx);
      });
      expect(first.getSetCookie()).toHaveLength(1);
      await request(async (ctx) => {
        const session = await s.get(ctx);
        expect(session.isNew).toBe(false);
        expect(session.getString("name")).toBe("kataras");
        expect(session.getInt("visits")).toBe(3);
        expect(session.get("when")).toEqual(when);
      });
      expect(errors).toEqual([]);
    });

    it("refuses values its serializer cannot write with serialize_failed, and writes nothing", async () => {
      const json = sessions("contract_json", make(), { serializer: jsonSerializer });
      const superjson = sessions("contract", make());
      const cycle: Record<string, unknown> = {};
      cycle["self"] = cycle;
      const hostile = JSON.parse('{"__proto__": {"admin": true}, "constructor": 1}') as unknown; // e.g. a request body
      const cases: Array<[typeof json, string, unknown]> = [
        [json, "big", 10n],
        [json, "cycle", cycle],
        [superjson, "body", hostile],
      ];
      for (const [manager, key, value] of cases) {
        const headers = await request(async (ctx) => {
          const session = await manager.get(ctx);
          session.set(key, value);
          await expect(session.save(ctx)).rejects.toMatchObject({ code: "serialize_failed" });
          session.delete(key);
          session.set("ok", true);
          await session.save(ctx); // the session itself is still usable
        });
        expect(headers.getSetCookie()).toHaveLength(1);
      }
      if (h.stored !== undefined) expect(await h.stored(clock)).toHaveLength(2); // the two sessions saved after the fix
      expect(({} as Record<string, unknown>)["admin"]).toBeUndefined();
    });

    it("copies options per session, so changing one leaves the store defaults alone", async () => {
      const store = make([KEY_A], { maxAge: 600 });
      const s = sessions("contract", store);
      const t = sessions("other", store);
      await request(async (ctx) => {
        const a = await s.get(ctx);
        const b = await t.get(ctx);
        a.cookie.maxAge = 0;
        expect(b.cookie.maxAge).toBe(600);
        expect(freshSession(store, ctx, "third").cookie.maxAge).toBe(600);
      });
    });

    it("reads flashes once, under the default and custom keys", async () => {
      const s = sessions("contract", make());
      await request(async (ctx) => {
        const session = await s.get(ctx);
        session.addFlash("hello");
        session.addFlash("world");
        session.addFlash("custom", "notice");
        await session.save(ctx);
      });
      await request(async (ctx) => {
        const session = await s.get(ctx);
        expect(session.peekFlashes()).toEqual(["hello", "world"]);
        expect(session.flashes()).toEqual(["hello", "world"]);
        await session.save(ctx);
      });
      await request(async (ctx) => {
        const session = await s.get(ctx);
        expect(session.flashes()).toEqual([]);
        expect(session.flashes("notice")).toEqual(["custom"]);
      });
    });

    it("does not re-send an unchanged session", async () => {
      const s = sessions("contract", make());
      await request(async (ctx) => {
        const session = await s.get(ctx);
        session.set("n", 1);
        await session.save(ctx);
      });
      const headers = await request(async (ctx) => {
        const session = await s.get(ctx);
        expect(session.get("n")).toBe(1);
        await session.save(ctx);
      });
      expect(headers.getSetCookie()).toEqual([]);
    });

    it("writes exactly one Set-Cookie when a session is saved twice in one response", async () => {
      const s = sessions("contract", make());
      const headers = await request(async (ctx) => {
        const session = await s.get(ctx);
        session.set("n", 1);
        await session.save(ctx);
        session.set("n", 2);
        await session.save(ctx);
      });
      expect(headers.getSetCookie()).toHaveLength(1);
      await request(async (ctx) => expect((await s.get(ctx)).get("n")).toBe(2));
    });

    it("appends two Set-Cookie headers for two sessions in one response", async () => {
      const store = make();
      const headers = await request(async (ctx) => {
        for (const name of ["first", "second"]) {
          const session = await sessions(name, store).get(ctx);
          session.set("who", name);
          await session.save(ctx);
        }
      });
      const lines = headers.getSetCookie();
      expect(lines.map((line) => line.split("=")[0])).toEqual(["first", "second"]);
    });

    it("destroys a session: cookie expired, data gone, and a later save cannot bring it back", async () => {
      const s = sessions("contract", make());
      await request(async (ctx) => {
        const session = await s.get(ctx);
        session.set("secret", "x");
        await session.save(ctx);
      });
      const stolen = jar.header();
      const headers = await request(async (ctx) => {
        const session = await s.get(ctx);
        await session.destroy(ctx);
        session.set("secret", "y");
        await expect(session.save(ctx)).rejects.toSatisfy((err) => isSessionError(err, "session_destroyed"));
        expect(await s.get(ctx)).toBe(session);
      });
      const [line] = headers.getSetCookie();
      expect(headers.getSetCookie()).toHaveLength(1);
      expect(line).toMatch(/^contract=;.*Max-Age=0/);
      expect(line).toContain("Expires=Thu, 01 Jan 1970 00:00:01 GMT");
      await request(async (ctx) => expect((await s.get(ctx)).isNew).toBe(true));
      if (h.serverSide) {
        jar.cookies.set("contract", stolen.slice("contract=".length));
        await request(async (ctx) => expect((await s.get(ctx)).get("secret")).toBeUndefined());
      }
    });

    it.each([
      [-1, /Max-Age=0.*Expires=Thu, 01 Jan 1970/],
      [0, /^(?!.*Max-Age)(?!.*Expires).*$/],
      [60, /Max-Age=60; .*Expires=/],
    ])("writes the cookie attributes for maxAge %d", async (maxAge, pattern) => {
      const s = sessions("contract", make());
      const headers = await request(async (ctx) => {
        const session = await s.get(ctx);
        session.set("n", 1);
        session.cookie.maxAge = maxAge;
        await session.save(ctx);
      });
      expect(headers.getSetCookie()[0]).toMatch(pattern);
      expect(jar.cookies.has("contract")).toBe(maxAge >= 0);
    });

    it("a save by a request still running when another request destroyed the session does not bring it back", async () => {
      const s = sessions("contract", make());
      await request(async (ctx) => {
        const session = await s.get(ctx);
        session.set("user", "kataras");
        await session.save(ctx);
      });
      const stolen = new CookieJar(); // what the browser (or a second tab) still sends
      for (const [name, value] of jar.cookies) stolen.cookies.set(name, value);
      const slow = stolen.context(); // request A: loads the session, then takes its time
      const inFlight = await s.get(slow);
      await request(async (ctx) => (await s.get(ctx)).destroy(ctx)); // request B: logout
      inFlight.set("cart", ["sku-1"]);
      await inFlight.save(slow); // request A finishes
      if (!h.serverSide) return; // a cookie session has no server state to protect: A's cookie is as valid as before
      // No Set-Cookie at all: B expired the cookie already, and a newer one (a login meanwhile) must stay.
      expect(slow.headers.getSetCookie()).toEqual([]);
      inFlight.set("cart", ["sku-2"]);
      await inFlight.save(slow); // saving again is no error, and writes nothing either
      expect(slow.headers.getSetCookie()).toEqual([]);
      expect(await h.stored?.(clock)).toEqual([]);
      const after = await s.get(stolen.context());
      expect([after.isNew, after.get("user")]).toEqual([true, undefined]);
    });

    it("regenerates: new id, values kept, old data gone", async () => {
      const s = sessions("contract", make());
      await request(async (ctx) => {
        const session = await s.get(ctx);
        session.set("name", "kataras");
        await session.save(ctx);
      });
      const before = jar.header();
      let oldId = "";
      const headers = await request(async (ctx) => {
        const session = await s.get(ctx);
        oldId = session.id;
        await session.regenerate(ctx);
        if (h.serverSide) expect(session.id).not.toBe(oldId);
      });
      expect(headers.getSetCookie()).toHaveLength(1);
      expect(jar.header()).not.toBe(before);
      await request(async (ctx) => expect((await s.get(ctx)).getString("name")).toBe("kataras"));
      if (h.serverSide) {
        jar.cookies.set("contract", before.slice("contract=".length));
        await request(async (ctx) => {
          const old = await s.get(ctx);
          expect(old.isNew).toBe(true);
          expect(old.get("name")).toBeUndefined();
        });
      }
    });

    it("gives a fresh session and reports a tampered cookie", async () => {
      const s = sessions("contract", make());
      await request(async (ctx) => {
        const session = await s.get(ctx);
        session.set("role", "user");
        await session.save(ctx);
      });
      const value = jar.cookies.get("contract") ?? "";
      const flipped = value.slice(0, 10) + (value[10] === "A" ? "B" : "A") + value.slice(11);
      jar.cookies.set("contract", flipped);
      await request(async (ctx) => {
        const session = await s.get(ctx);
        expect(session.isNew).toBe(true);
        expect(session.get("role")).toBeUndefined();
      });
      expect(errors).toHaveLength(1);
      expect(errors[0]?.kind).toBe("decode");
    });

    it("expires a session after its maxAge and reports it", async () => {
      const s = sessions("contract", make([KEY_A], { maxAge: 60 }));
      await request(async (ctx) => {
        const session = await s.get(ctx);
        session.set("n", 1);
        await session.save(ctx);
      });
      clock += 30;
      await request(async (ctx) => expect((await s.get(ctx)).get("n")).toBe(1));
      clock += 61;
      await request(async (ctx) => expect((await s.get(ctx)).isNew).toBe(true));
      expect(errors.map((err) => err.kind)).toEqual(["decode"]);
    });

    it("enforces idle and absolute timeouts from the session config", async () => {
      const store = make();
      const s = sessions("contract", store, { idleTimeout: 100, absoluteTimeout: 250 });
      await request(async (ctx) => {
        const session = await s.get(ctx);
        session.set("n", 1);
        await session.save(ctx);
      });
      for (let step = 0; step < 2; step++) {
        clock += 90;
        await request(async (ctx) => {
          const session = await s.get(ctx);
          expect(session.get("n")).toBe(1);
          await session.save(ctx); // unchanged, but refreshes the idle clock
        });
      }
      clock += 90; // 270 s after creation: past the absolute timeout
      await request(async (ctx) => expect((await s.get(ctx)).isNew).toBe(true));
      expect(errors.map((err) => err.code)).toEqual(["session_timeout"]);
    });

    it("regenerate starts a new createdAt: the absolute timeout counts from the regenerate, not the visit before", async () => {
      const s = sessions("contract", make(), { absoluteTimeout: 250 });
      await request(async (ctx) => {
        const session = await s.get(ctx);
        session.set("cart", 1); // an anonymous visit, long before the login
        await session.save(ctx);
      });
      clock += 200;
      await request(async (ctx) => {
        const session = await s.get(ctx);
        session.set("user", "kataras");
        await session.regenerate(ctx); // the login
        expect(session.createdAt).toBe(clock);
      });
      clock += 200; // 400 s after the first visit, 200 s after the login
      await request(async (ctx) => {
        const session = await s.get(ctx);
        expect(session.isNew).toBe(false);
        expect(session.getString("user")).toBe("kataras");
        expect(session.createdAt).toBe(START + 200);
      });
      clock += 51; // 251 s after the login
      await request(async (ctx) => expect((await s.get(ctx)).isNew).toBe(true));
      expect(errors.map((err) => err.code)).toEqual(["session_timeout"]);
    });

    it("ends a session 30 days after its creation by default, however active; absoluteTimeout 0 opts out", async () => {
      const bounded = sessions("bounded", make(), { rolling: true });
      const unbounded = sessions("unbounded", make(), { rolling: true, absoluteTimeout: 0 });
      await request(async (ctx) => {
        for (const s of [bounded, unbounded]) (await s.get(ctx)).set("user", "kataras");
        await saveAll(ctx);
      });
      for (let day = 10; day <= 30; day += 10) {
        clock += 10 * 86400;
        await request(async (ctx) => {
          for (const s of [bounded, unbounded]) expect((await s.get(ctx)).getString("user")).toBe("kataras");
          await saveAll(ctx); // rolling: re-saved, so its cookie never expires
        });
      }
      clock += 1; // 30 days and a second after the creation
      await request(async (ctx) => {
        expect((await bounded.get(ctx)).isNew).toBe(true);
        expect((await unbounded.get(ctx)).getString("user")).toBe("kataras");
      });
      expect(errors.map((err) => err.code)).toEqual(["session_timeout"]);
    });

    it("accepts a browser-session cookie (maxAge 0) for sessionCookieLifetime after its last save, refreshing it while used", async () => {
      const s = sessions("contract", make(), { sessionCookieLifetime: 1000 });
      await request(async (ctx) => {
        const session = await s.get(ctx);
        session.set("user", "kataras");
        session.cookie.maxAge = 0; // "remember me" unticked
        await session.save(ctx);
      });
      if (h.stored !== undefined) {
        const [ttl] = await h.stored(clock);
        expect(ttl).toBeGreaterThan(900); // the data lives as long as the cookie is accepted, not 30 days
        expect(ttl).toBeLessThanOrEqual(1000);
      }
      for (let step = 0; step < 2; step++) {
        clock += 950;
        const headers = await request(async (ctx) => {
          const session = await s.get(ctx);
          expect(session.getString("user")).toBe("kataras");
          await session.save(ctx); // unchanged, but a tenth of the lifetime has passed: re-saved
        });
        expect(headers.getSetCookie()).toHaveLength(1);
        expect(headers.getSetCookie()[0]).not.toMatch(MAX_AGE);
      }
      clock += 1001;
      await request(async (ctx) => expect((await s.get(ctx)).isNew).toBe(true));
      expect(errors).toHaveLength(1);
      expect(["session_timeout", "unknown_session"]).toContain(errors[0]?.code); // refused, or its data already expired
    });

    it("accepts a browser-session cookie for one day by default, not for the store's 30 days", async () => {
      const s = sessions("contract", make());
      await request(async (ctx) => {
        const session = await s.get(ctx);
        session.set("user", "kataras");
        session.cookie.maxAge = 0;
        await session.save(ctx);
      });
      if (h.stored !== undefined) {
        const [ttl] = await h.stored(clock);
        expect(ttl).toBeGreaterThan(86000);
        expect(ttl).toBeLessThanOrEqual(86400);
      }
      clock += 86399;
      await request(async (ctx) => expect((await s.get(ctx)).getString("user")).toBe("kataras")); // not saved
      clock += 2;
      await request(async (ctx) => expect((await s.get(ctx)).isNew).toBe(true));
      expect(errors).toHaveLength(1);
      expect(["session_timeout", "unknown_session"]).toContain(errors[0]?.code); // refused, or its data already expired
    });

    it("re-issues a session signed with an old key under the newest one", async () => {
      await request(async (ctx) => {
        const session = await sessions("contract", make([KEY_A])).get(ctx);
        session.set("name", "kataras");
        await session.save(ctx);
      });
      const headers = await request(async (ctx) => {
        const session = await sessions("contract", make([KEY_B, KEY_A])).get(ctx);
        expect(session.getString("name")).toBe("kataras");
        await session.save(ctx);
      });
      expect(headers.getSetCookie()).toHaveLength(1);
      await request(async (ctx) => {
        const session = await sessions("contract", make([KEY_B])).get(ctx);
        expect(session.getString("name")).toBe("kataras");
      });
      expect(errors).toEqual([]);
    });

    it("an untouched new session sends no cookie and writes nothing", async () => {
      const s = sessions("contract", make(), { rolling: true, idleTimeout: 100 });
      for (let hit = 0; hit < 3; hit++) {
        const headers = await request(async (ctx) => {
          const session = await s.get(ctx);
          expect(session.isNew).toBe(true);
          expect(session.flashes()).toEqual([]); // reading nothing changes nothing
          session.cookie.maxAge = 0; // options alone are not worth a cookie
          await session.save(ctx);
          await saveAll(ctx);
          expect(session.isNew).toBe(true);
        });
        expect(headers.getSetCookie()).toEqual([]);
        clock += 60;
      }
      expect(jar.cookies.size).toBe(0);
      if (h.stored !== undefined) expect(await h.stored(clock)).toEqual([]);
      expect(errors).toEqual([]);
    });

    it("saves an empty new session when asked: regenerate, markDirty, saveUninitialized", async () => {
      const store = make();
      const cases: Array<[string, (ctx: ReturnType<CookieJar["context"]>) => Promise<void>]> = [
        ["regen", async (ctx) => (await sessions("regen", store).get(ctx)).regenerate(ctx)],
        ["marked", async (ctx) => {
          const session = await sessions("marked", store).get(ctx);
          session.markDirty();
          await session.save(ctx);
        }],
        ["eager", async (ctx) => (await sessions("eager", store, { saveUninitialized: true }).get(ctx)).save(ctx)],
      ];
      for (const [name, run] of cases) {
        const headers = await request(run);
        expect(headers.getSetCookie().map((line) => line.split("=")[0])).toEqual([name]);
      }
      if (h.stored !== undefined) expect(await h.stored(clock)).toHaveLength(3);
      await request(async (ctx) => expect((await sessions("regen", store).get(ctx)).isNew).toBe(false));
    });

    it("a session with only a flash is saved", async () => {
      const s = sessions("contract", make());
      const headers = await request(async (ctx) => {
        const session = await s.get(ctx);
        session.addFlash("saved!");
        await saveAll(ctx);
      });
      expect(headers.getSetCookie()).toHaveLength(1);
      if (h.stored !== undefined) expect(await h.stored(clock)).toHaveLength(1);
      await request(async (ctx) => expect((await s.get(ctx)).flashes()).toEqual(["saved!"]));
    });

    it("maxAge 0 set at login survives later saves (browser-session cookie stays a browser-session cookie)", async () => {
      const s = sessions("contract", make([KEY_A], { maxAge: 600 }));
      const login = await request(async (ctx) => {
        const session = await s.get(ctx);
        session.set("user", "kataras");
        session.cookie.maxAge = 0; // "remember me" unticked
        await session.regenerate(ctx);
      });
      expect(login.getSetCookie()[0]).not.toMatch(MAX_AGE);
      clock += 30;
      const later = await request(async (ctx) => {
        const session = await s.get(ctx);
        expect(session.cookie.maxAge).toBe(0);
        expect(session.isDirty).toBe(false);
        session.increment("visits");
        await session.save(ctx);
      });
      expect(later.getSetCookie()).toHaveLength(1);
      expect(later.getSetCookie()[0]).not.toMatch(MAX_AGE);
      clock += 30;
      const unchanged = await request(async (ctx) => {
        const session = await s.get(ctx);
        expect(session.getInt("visits")).toBe(1);
        expect(session.cookie.maxAge).toBe(0);
        await session.save(ctx);
      });
      expect(unchanged.getSetCookie()).toEqual([]);
      if (h.stored !== undefined) {
        const [ttl] = await h.stored(clock);
        expect(ttl).toBeGreaterThan(500); // a browser-session cookie's data lives for the store's maxAge
        expect(ttl).toBeLessThanOrEqual(600);
      }
      expect(errors).toEqual([]);
    });

    it("a persistent maxAge chosen per session is kept and drives the TTL", async () => {
      const s = sessions("contract", make([KEY_A], { maxAge: 600 }));
      await request(async (ctx) => {
        const session = await s.get(ctx);
        session.set("user", "kataras");
        session.cookie.maxAge = 120;
        await session.save(ctx);
      });
      clock += 60;
      const later = await request(async (ctx) => {
        const session = await s.get(ctx);
        expect(session.cookie.maxAge).toBe(120);
        session.set("page", "/cart");
        await session.save(ctx);
      });
      expect(later.getSetCookie()[0]).toMatch(/Max-Age=120;/);
      if (h.stored !== undefined) {
        const ttls = await h.stored(clock);
        expect(ttls).toHaveLength(1);
        expect(ttls[0]).toBeGreaterThan(100);
        expect(ttls[0]).toBeLessThanOrEqual(120);
      }
      clock += 100;
      await request(async (ctx) => expect((await s.get(ctx)).get("page")).toBe("/cart"));
      expect(errors).toEqual([]);
      clock += 21; // 121 s after the last save: past the session's own maxAge, well within the store's 600
      // The test jar keeps the cookie (as a thief would); the store itself refuses it past its maxAge.
      await request(async (ctx) => expect((await s.get(ctx)).isNew).toBe(true));
      expect(errors.map((err) => err.kind)).toEqual(["decode"]);
    });

    it("data written before this change (old header) still loads", async () => {
      const store = make([KEY_A], { maxAge: 600 });
      const config = { serializer: jsonSerializer };
      const s = sessions("contract", store, config);
      const bytes = oldPayload(START - 100, { name: "kataras" });
      const codec = codecFor({ keys: [KEY_A] }, { maxAge: 600, maxLength: 0, now: () => clock });
      if (h.serverSide) {
        const id = generateSessionId();
        await (store as ServerStore).backend.write(id, await codec.encode(dataName("contract", id), bytes), 600);
        jar.cookies.set("contract", await codec.encode("contract", Buffer.from(id, "latin1")));
      } else {
        jar.cookies.set("contract", await codec.encode("contract", bytes));
      }
      const headers = await request(async (ctx) => {
        const session = await s.get(ctx);
        expect(session.isNew).toBe(false);
        expect(session.getString("name")).toBe("kataras");
        expect(session.createdAt).toBe(START - 100);
        expect(session.cookie.maxAge).toBe(600);
        expect(session.isDirty).toBe(false);
        await session.save(ctx);
      });
      expect(headers.getSetCookie()).toEqual([]);
      expect(errors).toEqual([]);
    });

    it("refuses invalid cookie names", async () => {
      const store = make();
      for (const name of ["", "has space", "semi;colon", "eq=ual", "com,ma"]) {
        expect(() => sessions(name, store)).toThrow(expect.objectContaining({ code: "invalid_cookie_name" }));
        await expect(loadSession(store, jar.context(), name)).rejects.toMatchObject({ code: "invalid_cookie_name" });
      }
    });
  });
  describeDataContract(label, harness);
  describeConcurrencyContract(label, harness);
}
