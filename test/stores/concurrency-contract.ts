// Concurrent requests on one server-side session (issue 14): changes to different keys both persist, the
// same key follows onConflict, flashes are neither lost nor shown twice, and a logout sticks. Runs against
// every store of describeStoreContract; skipped for cookie stores (each response carries the whole session:
// the browser keeps the last cookie, nothing on the server can merge).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { KeyPair } from "../../src/codec/keys.ts";
import type { SessionError } from "../../src/errors.ts";
import { sessions } from "../../src/session/manager.ts";
import type { SessionConfig } from "../../src/session/session-config.ts";
import type { Store } from "../../src/stores/store.ts";
import type { StoreHarness } from "./contract.ts";
import { CookieJar } from "./cookie-jar.ts";

const KEY: KeyPair = { hashKey: "r".repeat(32), blockKey: "R".repeat(32) };
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs the concurrency contract against the server stores `harness` builds. */
export function describeConcurrencyContract(label: string, harness: () => Promise<StoreHarness>): void {
  describe(`${label} concurrency contract`, () => {
    let h: StoreHarness;
    let errors: SessionError[];
    let jar: CookieJar;
    let store: Store;

    beforeEach(async (ctx) => {
      h = await harness();
      if (!h.serverSide) ctx.skip();
      errors = [];
      jar = new CookieJar();
      store = h.make({ keys: [KEY], now: () => Date.now() / 1000, onError: (err) => errors.push(err) });
    });
    afterEach(async () => {
      await h.cleanup();
    });

    /** Saves a session holding `values`; returns a function running one more request with its cookie. */
    async function created(values: Record<string, unknown>, config: SessionConfig = {}) {
      const manager = sessions("race", store, config);
      const ctx = jar.context();
      const session = await manager.get(ctx);
      for (const [key, value] of Object.entries(values)) session.set(key, value);
      await session.save();
      jar.absorb(ctx.headers);
      return {
        manager,
        /** Loads the session, runs `fn` on it after a pause (a slow handler), and saves it. */
        request: async (fn: (session: Awaited<ReturnType<typeof manager.get>>) => unknown, delay = 5) => {
          const ctx = jar.context();
          const session = await manager.get(ctx);
          await pause(delay);
          await fn(session);
          await session.save();
          return ctx.headers;
        },
        read: async () => manager.get(jar.context()),
      };
    }

    it("keeps both updates when two concurrent requests change different keys (50 rounds)", async () => {
      for (let round = 0; round < 50; round++) {
        const s = await created({ n: round });
        await Promise.all([
          s.request((session) => session.set("a", round)),
          s.request((session) => session.set("b", round), 2),
        ]);
        const after = await s.read();
        expect(after.values()).toEqual({ n: round, a: round, b: round });
        jar = new CookieJar();
      }
      expect(errors).toEqual([]);
    });

    it("keeps every key of 100 concurrent requests on one session", async () => {
      const s = await created({ start: true });
      await Promise.all(Array.from({ length: 100 }, (_, i) => s.request((session) => session.set(`k${i}`, i), i % 7)));
      const after = await s.read();
      expect(after.keys().length).toBe(101);
    });

    it("keeps in-place changes and deletions of different keys", async () => {
      const s = await created({ cart: ["x"], prefs: { theme: "light" }, gone: 1 });
      await Promise.all([
        s.request((session) => (session.get("cart") as string[]).push("y")),
        s.request((session) => {
          (session.get("prefs") as Record<string, string>)["theme"] = "dark";
          session.delete("gone");
        }, 2),
      ]);
      expect((await s.read()).values()).toEqual({ cart: ["x", "y"], prefs: { theme: "dark" } });
    });

    it("lets the last writer win a key both changed, by default", async () => {
      const s = await created({ n: 0 });
      await Promise.all([s.request((session) => session.set("n", 1), 1), s.request((session) => session.set("n", 2), 10)]);
      expect((await s.read()).get("n")).toBe(2);
    });

    it('rejects the later save of a key both changed with session_conflict under onConflict "error", writing nothing', async () => {
      const s = await created({ n: 0, other: 0 }, { onConflict: "error" });
      const results = await Promise.allSettled([
        s.request((session) => session.set("n", 1), 1),
        s.request((session) => session.set("n", 2).set("other", 2), 10),
      ]);
      expect(results[0]?.status).toBe("fulfilled");
      expect(results[1]).toMatchObject({ status: "rejected", reason: { code: "session_conflict", kind: "unavailable" } });
      expect((await s.read()).values()).toEqual({ n: 1, other: 0 });
      // Different keys still merge under "error".
      await Promise.all([s.request((session) => session.set("a", 1), 1), s.request((session) => session.set("b", 1), 5)]);
      expect((await s.read()).values()).toEqual({ n: 1, other: 0, a: 1, b: 1 });
    });

    it("neither loses nor repeats a flash read in one request and added in another", async () => {
      const s = await created({ user: "ada" });
      await s.request((session) => {
        session.addFlash("first");
        session.addFlash("first notice", "notice");
      }, 0);
      let shown: unknown[] = [];
      let notices: unknown[] = [];
      await Promise.all([
        s.request((session) => {
          shown = session.flashes();
          notices = session.flashes("notice");
        }, 10),
        s.request((session) => {
          session.addFlash("second");
          session.addFlash("second notice", "notice");
        }, 1),
      ]);
      expect(shown).toEqual(["first"]);
      expect(notices).toEqual(["first notice"]);
      const after = await s.read();
      expect(after.flashes()).toEqual(["second"]);
      expect(after.flashes("notice")).toEqual(["second notice"]);
      expect(after.get("user")).toBe("ada");
    });

    it("keeps a logout: a save racing a destroy does not bring the session back", async () => {
      const s = await created({ user: "ada" });
      const stolen = jar.header();
      await Promise.all([
        s.request((session) => session.set("late", true), 10),
        (async () => {
          const ctx = jar.context();
          const session = await s.manager.get(ctx);
          await pause(1);
          await session.destroy();
        })(),
      ]);
      jar = new CookieJar();
      jar.cookies.set("race", stolen.slice("race=".length));
      const after = await s.read();
      expect(after.isNew).toBe(true);
      expect(after.get("user")).toBeUndefined();
    });
  });
}
