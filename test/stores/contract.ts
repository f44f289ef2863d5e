import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { KeyPair } from "../../src/codec/keys.ts";
import { type SessionError, isSessionError } from "../../src/errors.ts";
import type { CookieOptions } from "../../src/options.ts";
import type { ErrorInfo } from "../../src/session-config.ts";
import { sessions } from "../../src/sessions.ts";
import type { Store } from "../../src/store.ts";
import { CookieJar } from "./cookie-jar.ts";

/** What the contract suite asks a store factory for. */
export interface ContractStoreOptions {
  /** Key pairs, newest first. */
  keys: KeyPair[];
  /** The clock, in Unix seconds. */
  now: () => number;
  /** The store-level error hook. */
  onError: (err: SessionError, info: ErrorInfo) => void;
  /** Default cookie options. */
  options?: Partial<CookieOptions>;
}

/** One test's store setup: every `make` call shares the same backend (same directory, map, Redis prefix). */
export interface StoreHarness {
  /** True for stores that keep data on the server (ids, regenerate deletes old data). */
  readonly serverSide: boolean;
  /** Builds a store over the shared backend. */
  make(options: ContractStoreOptions): Store;
  /** Closes stores and removes what the test left behind. */
  cleanup(): Promise<void>;
}

const KEY_A: KeyPair = { hashKey: "a".repeat(32), blockKey: "A".repeat(32) };
const KEY_B: KeyPair = { hashKey: "b".repeat(32), blockKey: "B".repeat(32) };
const START = 1_700_000_000;

/**
 * Runs the store contract against the stores `harness` builds: round trip, options copied per session,
 * flashes, destroy, maxAge -1 / 0, regenerate, dirty tracking, tampering, expiry, key rotation, and two
 * sessions in one response.
 */
export function describeStoreContract(label: string, harness: () => Promise<StoreHarness>): void {
  describe(`${label} store contract`, () => {
    let h: StoreHarness;
    let clock: number;
    let errors: SessionError[];
    let jar: CookieJar;
    const make = (keys: KeyPair[] = [KEY_A], options: Partial<CookieOptions> = {}): Store =>
      h.make({ keys, now: () => clock, onError: (err) => errors.push(err), options });

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

    it("copies options per session, so changing one leaves the store defaults alone", async () => {
      const store = make([KEY_A], { maxAge: 600 });
      const s = sessions("contract", store);
      const t = sessions("other", store);
      await request(async (ctx) => {
        const a = await s.get(ctx);
        const b = await t.get(ctx);
        a.options.maxAge = 0;
        expect(b.options.maxAge).toBe(600);
        expect((await store.new(ctx, "third")).options.maxAge).toBe(600);
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
        session.options.maxAge = maxAge;
        await session.save(ctx);
      });
      expect(headers.getSetCookie()[0]).toMatch(pattern);
      expect(jar.cookies.has("contract")).toBe(maxAge >= 0);
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

    it("refuses invalid cookie names", async () => {
      const store = make();
      for (const name of ["", "has space", "semi;colon", "eq=ual", "com,ma"]) {
        expect(() => sessions(name, store)).toThrow(expect.objectContaining({ code: "invalid_cookie_name" }));
        await expect(store.get(jar.context(), name)).rejects.toMatchObject({ code: "invalid_cookie_name" });
      }
    });
  });
}
