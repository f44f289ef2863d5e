// The data half of the store contract (issue 13): values changed in place are saved, invalid data is never
// written, schema versions migrate, and a rolling deploy's old server never overwrites a newer server's data.
// Runs against every store, through describeStoreContract.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import type { KeyPair } from "../../src/codec/keys.ts";
import { SessionValidationError, type SessionError } from "../../src/errors.ts";
import { jsonSerializer } from "../../src/serializers/serializers.ts";
import { sessions } from "../../src/session/manager.ts";
import type { SessionConfig } from "../../src/session/session-config.ts";
import type { Store } from "../../src/stores/store.ts";
import { bindSession } from "../../src/typed/bind-session.ts";
import { type SessionDefinition, defineSession } from "../../src/typed/define-session.ts";
import { TypedSession } from "../../src/typed/typed-session.ts";
import { superjsonSerializer } from "../../src/serializers/serializers.ts";
import { user } from "../../schemas/user.gen.ts";
import type { StoreHarness } from "./contract.ts";
import { CookieJar } from "./cookie-jar.ts";

const KEY: KeyPair = { hashKey: "d".repeat(32), blockKey: "D".repeat(32) };
const START = 1_700_000_000;

/** Three versions of one session's shape: v1 counts visits, v2 stores them as text, v3 adds a tier. */
const v1 = z.object({ name: z.string().default(""), visits: z.number().int().default(0) });
const v2 = z.object({ name: z.string().default(""), visits: z.string().default("0") });
const v3 = z.object({ name: z.string().default(""), visits: z.string().default("0"), tier: z.enum(["free", "pro"]).default("free") });

const defV1 = defineSession({ name: "versioned", data: v1 });
const defV2 = defineSession({ name: "versioned", data: v2, version: 2, migrate: (from) => from(v1).to(v2, (old) => ({ name: old.name, visits: String(old.visits) })) });
const defV3 = defineSession({
  name: "versioned",
  data: v3,
  version: 3,
  migrate: (from) =>
    from(v1)
      .to(v2, (old) => ({ name: old.name, visits: String(old.visits) }))
      .to(v3, (old) => ({ ...old, tier: old.name === "ada" ? ("pro" as const) : ("free" as const) })),
});

const bound = (definition: SessionDefinition) => bindSession(definition, TypedSession, superjsonSerializer);

/** Runs the data contract against the stores `harness` builds. */
export function describeDataContract(label: string, harness: () => Promise<StoreHarness>): void {
  describe(`${label} data contract`, () => {
    let h: StoreHarness;
    let errors: SessionError[];
    let jar: CookieJar;
    const make = (): Store => h.make({ keys: [KEY], now: () => START, onError: (err) => errors.push(err) });

    beforeEach(async () => {
      h = await harness();
      errors = [];
      jar = new CookieJar();
    });
    afterEach(async () => {
      await h.cleanup();
    });

    async function request(fn: (ctx: ReturnType<CookieJar["context"]>) => Promise<void>): Promise<Headers> {
      const ctx = jar.context();
      await fn(ctx);
      jar.absorb(ctx.headers);
      return ctx.headers;
    }

    describe("values changed in place", () => {
      it.each<[string, SessionConfig]>([
        ["superjson", {}],
        ["json", { serializer: jsonSerializer }],
      ])("are saved without markDirty (untyped, %s)", async (_, config) => {
        const s = sessions("inplace", make(), config);
        await request(async (ctx) => {
          const session = await s.get(ctx);
          session.set("cart", [{ sku: "x", qty: 1 }]).set("prefs", { theme: "light" });
          await session.save();
        });
        await request(async (ctx) => {
          const session = await s.get(ctx);
          (session.get("cart") as unknown[]).push({ sku: "y", qty: 2 });
          (session.get("prefs") as Record<string, string>)["theme"] = "dark";
          expect(session.isDirty).toBe(true);
          await session.save();
        });
        await request(async (ctx) => {
          const session = await s.get(ctx);
          expect(session.get("cart")).toEqual([{ sku: "x", qty: 1 }, { sku: "y", qty: 2 }]);
          expect(session.get("prefs")).toEqual({ theme: "dark" });
        });
      });

      it("are saved for Maps, Sets and Dates, and through values()", async () => {
        const s = sessions("inplace", make());
        await request(async (ctx) => {
          const session = await s.get(ctx);
          session.set("seen", new Map([["/", new Date(0)]])).set("roles", new Set(["reader"])).set("when", new Date(0));
          await session.save();
        });
        await request(async (ctx) => {
          const session = await s.get(ctx);
          (session.get("seen") as Map<string, Date>).set("/cart", new Date(1000));
          (session.values()["roles"] as Set<string>).add("buyer");
          (session.get("when") as Date).setTime(5000);
          await session.save();
        });
        await request(async (ctx) => {
          const session = await s.get(ctx);
          expect(session.get("seen")).toEqual(new Map([["/", new Date(0)], ["/cart", new Date(1000)]]));
          expect(session.get("roles")).toEqual(new Set(["reader", "buyer"]));
          expect(session.get("when")).toEqual(new Date(5000));
        });
      });

      it("write nothing when an object was read but not changed", async () => {
        const s = sessions("inplace", make());
        await request(async (ctx) => {
          const session = await s.get(ctx);
          session.set("cart", [{ sku: "x" }]);
          await session.save();
        });
        const headers = await request(async (ctx) => {
          const session = await s.get(ctx);
          expect(session.get("cart")).toEqual([{ sku: "x" }]);
          expect(session.values()).toEqual({ cart: [{ sku: "x" }] });
          expect(session.isDirty).toBe(false);
          await session.save();
        });
        expect(headers.getSetCookie()).toEqual([]);
      });

      it("are saved again when changed after a first save in the same request", async () => {
        const s = sessions("inplace", make());
        await request(async (ctx) => {
          const session = await s.get(ctx);
          const cart = [{ sku: "x" }];
          session.set("cart", cart);
          await session.save();
          cart.push({ sku: "y" });
          await session.save();
        });
        await request(async (ctx) => expect((await s.get(ctx)).get("cart")).toEqual([{ sku: "x" }, { sku: "y" }]));
      });

      it("typed: session.cart.push(item) is saved, on a loaded and on a new session", async () => {
        const s = user.sessions(make());
        await request(async (ctx) => {
          const session = await s.get(ctx);
          session.cart.push({ sku: "x", qty: 1 }); // the default [] of a new session
          await session.save();
        });
        await request(async (ctx) => {
          const session = await s.get(ctx);
          expect(session.cart).toEqual([{ sku: "x", qty: 1 }]);
          session.cart.push({ sku: "y", qty: 2 });
          await session.save();
        });
        await request(async (ctx) => expect((await s.get(ctx)).cart).toEqual([{ sku: "x", qty: 1 }, { sku: "y", qty: 2 }]));
      });

      it("typed: reading a default object of a new session saves nothing", async () => {
        const s = user.sessions(make());
        const headers = await request(async (ctx) => {
          const session = await s.get(ctx);
          expect(session.cart).toEqual([]);
          expect(session.toJSON()).toEqual({ name: "", visits: 0, cart: [] });
          await session.save();
        });
        expect(headers.getSetCookie()).toEqual([]);
        if (h.stored !== undefined) expect(await h.stored(START)).toEqual([]);
      });
    });

    describe("save-time validation", () => {
      it("refuses an invalid in-place change: SessionValidationError with the path, nothing sent or stored", async () => {
        const s = user.sessions(make());
        await request(async (ctx) => {
          const session = await s.get(ctx);
          session.name = "ada";
          session.cart = [{ sku: "x", qty: 1 }];
          await session.save();
        });
        const headers = await request(async (ctx) => {
          const session = await s.get(ctx);
          session.cart.push({ sku: "", qty: -5 });
          session.markDirty();
          const err = await session.save().catch((e: unknown) => e);
          expect(err).toBeInstanceOf(SessionValidationError);
          expect((err as SessionValidationError).issues.map((issue) => issue.path).sort()).toEqual(["cart.1.qty", "cart.1.sku"]);
        });
        expect(headers.getSetCookie()).toEqual([]);
        await request(async (ctx) => {
          const session = await s.get(ctx);
          expect(session.name).toBe("ada");
          expect(session.cart).toEqual([{ sku: "x", qty: 1 }]);
        });
        expect(errors).toEqual([]);
      });

      it("refuses an invalid value set through the untyped session", async () => {
        const s = user.sessions(make());
        const headers = await request(async (ctx) => {
          const session = await s.get(ctx);
          session.untyped.set("visits", "many");
          await expect(session.save()).rejects.toMatchObject({ code: "invalid_session_data", issues: [{ path: "visits" }] });
        });
        expect(headers.getSetCookie()).toEqual([]);
        if (h.stored !== undefined) expect(await h.stored(START)).toEqual([]);
      });
    });

    describe("a schema change without a version bump", () => {
      it("costs only the field that no longer fits: the rest is kept, the field gets its default, onError hears the path", async () => {
        const before = defineSession({ name: "changed", data: z.object({ name: z.string().default(""), visits: z.number().default(0), cart: z.array(z.string()).default([]) }) });
        const after = defineSession({ name: "changed", data: z.object({ name: z.string().default(""), visits: z.string().default("none"), cart: z.array(z.string()).default([]) }) });
        await request(async (ctx) => {
          const session = await bound(before).sessions(make()).get(ctx);
          session.untyped.set("name", "ada").set("visits", 3).set("cart", ["x", "y"]);
          await session.save();
        });
        const repaired = await request(async (ctx) => {
          const session = await bound(after).sessions(make()).get(ctx);
          expect(session.untyped.values()).toEqual({ name: "ada", visits: "none", cart: ["x", "y"] });
          await session.save(); // the repaired data is written back once
        });
        expect(repaired.getSetCookie()).toHaveLength(1);
        expect(errors).toHaveLength(1);
        expect(errors[0]).toBeInstanceOf(SessionValidationError);
        expect((errors[0] as SessionValidationError).issues.map((issue) => issue.path)).toEqual(["visits"]);
        await request(async (ctx) => {
          const session = await bound(after).sessions(make()).get(ctx);
          expect(session.untyped.values()).toEqual({ name: "ada", visits: "none", cart: ["x", "y"] });
        });
        expect(errors).toHaveLength(1);
      });
    });

    describe("schema versions", () => {
      it("migrates v1 → v2 → v3 data on load and saves it in v3", async () => {
        await request(async (ctx) => {
          const session = await bound(defV1).sessions(make()).get(ctx);
          session.untyped.set("name", "ada").set("visits", 7);
          await session.save();
        });
        const migrated = await request(async (ctx) => {
          const session = await bound(defV3).sessions(make()).get(ctx);
          expect(session.untyped.values()).toEqual({ name: "ada", visits: "7", tier: "pro" });
          await session.save(); // unchanged by the handler, yet written: the data is now v3
        });
        expect(migrated.getSetCookie()).toHaveLength(1);
        // A v3 server reads it as current data: nothing to write.
        const again = await request(async (ctx) => {
          const session = await bound(defV3).sessions(make()).get(ctx);
          expect(session.untyped.values()).toEqual({ name: "ada", visits: "7", tier: "pro" });
          await session.save();
        });
        expect(again.getSetCookie()).toEqual([]);
        expect(errors).toEqual([]);
      });

      it("migrates v2 data through the last step only", async () => {
        await request(async (ctx) => {
          const session = await bound(defV2).sessions(make()).get(ctx);
          session.untyped.set("name", "bob").set("visits", "3");
          await session.save();
        });
        await request(async (ctx) => {
          const session = await bound(defV3).sessions(make()).get(ctx);
          expect(session.untyped.values()).toEqual({ name: "bob", visits: "3", tier: "free" });
        });
      });

      it("rolling deploy: an old server never overwrites a newer server's data unless its handler writes", async () => {
        const store = make();
        await request(async (ctx) => {
          const session = await bound(defV3).sessions(store).get(ctx);
          session.untyped.set("name", "ada").set("visits", "9").set("tier", "pro");
          await session.save();
        });
        // The old (v2) server reads v3 data: it sees the fields it knows, and writes nothing back, even rolling.
        for (const config of [{}, { rolling: true }, { idleTimeout: 60 }]) {
          const headers = await request(async (ctx) => {
            const session = await bound(defV2).sessions(store, config).get(ctx);
            expect(session.untyped.get("name")).toBe("ada");
            expect(session.untyped.get("visits")).toBe("9");
            await session.save();
          });
          expect(headers.getSetCookie()).toEqual([]);
        }
        await request(async (ctx) => {
          const session = await bound(defV3).sessions(store).get(ctx);
          expect(session.untyped.values()).toEqual({ name: "ada", visits: "9", tier: "pro" });
        });
        // When the old server's handler writes, its write wins, in v2; the new server migrates it up again.
        await request(async (ctx) => {
          const session = await bound(defV2).sessions(store).get(ctx);
          session.untyped.set("visits", "10");
          await session.save();
        });
        await request(async (ctx) => {
          const session = await bound(defV3).sessions(store).get(ctx);
          expect(session.untyped.values()).toEqual({ name: "ada", visits: "10", tier: "pro" });
        });
        expect(errors).toEqual([]);
      });
    });
  });
}
