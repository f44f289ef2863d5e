import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { SessionValidationError, type SessionError } from "../../src/errors.ts";
import type { ErrorInfo, ValidateInfo } from "../../src/session/session-config.ts";
import { sessions } from "../../src/session/manager.ts";
import { MemoryStore } from "../../src/stores/memory-store.ts";
import { superjsonSerializer } from "../../src/serializers/serializers.ts";
import { bindSession } from "../../src/typed/bind-session.ts";
import { TypedSession } from "../../src/typed/typed-session.ts";
import { defineSession, type OnInvalid } from "../../src/typed/define-session.ts";
import { repair } from "../../src/typed/repair.ts";
import { createValidator, storedValuesSchema } from "../../src/typed/validate.ts";
import { CookieJar } from "../stores/cookie-jar.ts";

const flash = z.object({ kind: z.enum(["info", "error"]), text: z.string() });
const data = z.object({
  name: z.string().max(5),
  nick: z.string().optional(),
  visits: z.number().int().nonnegative().default(0),
  address: z
    .object({ street: z.string(), zip: z.string().optional(), geo: z.object({ lat: z.number(), lng: z.number() }).optional() })
    .optional(),
  cart: z.array(z.object({ sku: z.string().min(1), qty: z.number().int().positive() })).default([]),
  pair: z.array(z.number()).min(2).default([0, 0]),
  labels: z.array(z.string()).nullable().readonly().default(null),
  scores: z.record(z.string(), z.number()).default({}),
  seen: z.map(z.string(), z.date()).optional(),
  roles: z.set(z.enum(["read", "write"])).optional(),
  shout: z.string().transform((s) => `${s}!`).optional(),
  range: z
    .object({ from: z.number(), to: z.number() })
    .refine((r) => r.from <= r.to, "from must not exceed to")
    .optional(),
});
const schema = storedValuesSchema(data, flash);
const defaults = { visits: 0, cart: [], pair: [0, 0], labels: null, scores: {} };

/** Repairs `values` against the stored-values schema; fails the test when the repair does not succeed. */
function repaired(values: Record<string, unknown>): { data: Record<string, unknown>; paths: string[] } {
  const result = repair(schema, values);
  if (!result.ok) throw new Error(`repair failed: ${JSON.stringify(result.issues)}`);
  return { data: result.data as Record<string, unknown>, paths: result.issues.map((issue) => issue.path) };
}

describe("repair", () => {
  it("returns data that fits as it was, with no issues", () => {
    const result = repair(schema, { name: "Ada", visits: 2 });
    expect(result).toEqual({ ok: true, data: { name: "Ada", ...defaults, visits: 2 }, issues: [] });
  });

  it("drops a required field (no default) that does not fit, keeping the others", () => {
    expect(repaired({ name: 42, visits: 3 })).toEqual({ data: { ...defaults, visits: 3 }, paths: ["name"] });
    expect(repaired({ name: "far too long" }).paths).toEqual(["name"]);
  });

  it("drops an optional field and gives a defaulted one its default", () => {
    expect(repaired({ name: "Ada", nick: 5, visits: -1 })).toEqual({ data: { name: "Ada", ...defaults }, paths: ["nick", "visits"] });
  });

  it("reports Zod's messages and codes with dotted paths", () => {
    const result = repair(schema, { visits: -1 });
    expect(result.issues).toEqual([{ path: "visits", message: "Too small: expected number to be >=0", code: "too_small" }]);
  });

  it("repairs a nested object field by field, dropping what cannot stay", () => {
    expect(repaired({ address: { street: "Main", zip: 7, geo: { lat: "north", lng: 1 } } })).toEqual({
      data: { ...defaults, address: { street: "Main" } },
      paths: ["address.zip", "address.geo.lat"],
    });
    // a required nested field that does not fit takes its optional parent with it
    expect(repaired({ address: { street: 9, zip: "12345" } })).toEqual({ data: defaults, paths: ["address.street"] });
    expect(repaired({ address: "Main Street" })).toEqual({ data: defaults, paths: ["address"] });
  });

  it("drops the array elements that cannot be repaired and keeps the rest in order", () => {
    const cart = [{ sku: "a", qty: 1 }, { sku: "b", qty: 0 }, { sku: "", qty: 2 }, { sku: "c", qty: 3 }];
    expect(repaired({ cart })).toEqual({ data: { ...defaults, cart: [cart[0], cart[3]] }, paths: ["cart.1.qty", "cart.2.sku"] });
  });

  it("falls back to the array's default when dropping elements breaks its minimum length", () => {
    expect(repaired({ pair: [1, "two"] })).toEqual({ data: defaults, paths: ["pair.1", "pair"] });
    expect(repaired({ pair: [1, "two", 3] }).data["pair"]).toEqual([1, 3]);
  });

  it("looks through nullable, readonly and default wrappers to repair the array inside", () => {
    expect(repaired({ labels: ["a", 1, "b"] })).toEqual({ data: { ...defaults, labels: ["a", "b"] }, paths: ["labels.1"] });
  });

  it("drops the record, map and set entries that do not fit", () => {
    const result = repaired({
      scores: { a: 1, b: "x" },
      seen: new Map<string, unknown>([["alice", new Date(1)], ["bob", "yesterday"]]),
      roles: new Set(["read", "admin"]),
    });
    expect(result.data).toEqual({ ...defaults, scores: { a: 1 }, seen: new Map([["alice", new Date(1)]]), roles: new Set(["read"]) });
    expect(result.paths).toEqual(["scores.b", "seen.bob", "roles"]);
  });

  it("drops invalid flash messages and keeps the valid ones", () => {
    const result = repaired({ _flash: [{ kind: "info", text: "hi" }, { kind: "loud", text: "x" }, "junk"] });
    expect(result).toEqual({ data: { ...defaults, _flash: [{ kind: "info", text: "hi" }] }, paths: ["_flash.1.kind", "_flash.2"] });
  });

  it("drops a CSRF token that is not a string", () => {
    expect(repaired({ name: "Ada", _csrf: 42 })).toEqual({ data: { name: "Ada", ...defaults }, paths: ["_csrf"] });
  });

  it("strips unknown keys without reporting them", () => {
    expect(repaired({ name: "Ada", stale: "from an old schema", visits: -1 })).toEqual({ data: { name: "Ada", ...defaults }, paths: ["visits"] });
  });

  it("drops a field whose refinement fails and runs transforms once", () => {
    expect(repaired({ range: { from: 3, to: 1 }, shout: "hey", visits: -1 })).toEqual({
      data: { ...defaults, shout: "hey!" },
      paths: ["visits", "range"],
    });
  });

  it("drops a strict object's unknown keys with an issue, keeps a loose object's", () => {
    const nested = z.object({
      strict: z.strictObject({ a: z.number(), b: z.number().optional() }).optional(),
      loose: z.looseObject({ a: z.number() }).optional(),
    });
    const result = repair(nested, { strict: { a: 1, b: "x", c: 2 }, loose: { a: "x", extra: 1 } });
    expect(result.ok && result.data).toEqual({ strict: { a: 1 } });
    expect(result.issues.map((issue) => issue.path)).toEqual(["strict.b", "strict.c", "loose.a"]);
  });

  it("passes a failure up when neither the value nor undefined fits", () => {
    const required = z.object({ inner: z.object({ n: z.number() }) });
    const result = repair(required, { inner: { n: "x" } });
    expect(result).toEqual({ ok: false, issues: [expect.objectContaining({ path: "inner.n" })] });
  });
});

const shop = defineSession({ name: "shop", data, flash });

function infoOf(version?: number): ValidateInfo & { readonly reports: SessionValidationError[] } {
  const reports: SessionValidationError[] = [];
  return { version, reports, repaired: (err) => reports.push(err) };
}

describe("createValidator", () => {
  const bad = { name: "Ada", visits: -3, cart: [{ sku: "a", qty: 1 }, { sku: "b", qty: "many" }] };

  it("repairs by default and reports what it changed through info.repaired", () => {
    const info = infoOf(undefined);
    expect(createValidator(shop)(bad, info)).toEqual({ name: "Ada", ...defaults, cart: [{ sku: "a", qty: 1 }] });
    expect(info.reports).toHaveLength(1);
    const [err] = info.reports as [SessionValidationError];
    expect(err).toBeInstanceOf(SessionValidationError);
    expect(err.code).toBe("invalid_session_data");
    expect(err.issues.map((issue) => issue.path)).toEqual(["visits", "cart.1.qty"]);
    expect(err.message).toMatch(/^typed-sessions: the stored data of session "shop" did not fit its schema: 2 fields \(visits, cart\.1\.qty\) fell back to their defaults or were dropped/);
    expect(err.cause).toBeInstanceOf(z.ZodError);
  });

  it("reports nothing for data that fits, and drops absent flash and CSRF keys", () => {
    const info = infoOf(1);
    const out = createValidator(shop)({ name: "Ada" }, info);
    expect(out).toEqual({ name: "Ada", ...defaults });
    expect(Object.keys(out)).not.toContain("_flash");
    expect(info.reports).toEqual([]);
  });

  it.each<OnInvalid>(["reset", "throw"])("throws a SessionValidationError with every issue under onInvalid %s, repairing nothing", (onInvalid) => {
    const validate = createValidator(defineSession({ name: "shop", data, flash, onInvalid }));
    const info = infoOf(1);
    let caught: unknown;
    try {
      validate(bad, info);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SessionValidationError);
    expect((caught as SessionValidationError).issues.map((issue) => issue.path)).toEqual(["visits", "cart.1.qty"]);
    expect((caught as SessionValidationError).message).toMatch(/session "shop" does not fit its schema: visits: Too small/);
    expect(info.reports).toEqual([]);
  });

  it("repairs without reporting when called without info", () => {
    expect(createValidator(shop)(bad)).toEqual({ name: "Ada", ...defaults, cart: [{ sku: "a", qty: 1 }] });
  });
});

describe("a repaired typed session, through a store", () => {
  // Its own definition rather than the demo's, so that the demo may pick any onInvalid.
  const account = defineSession({
    name: "account",
    data: z.object({
      name: z.string().default(""),
      visits: z.number().int().nonnegative().default(0),
      cart: z.array(z.object({ sku: z.string().min(1), qty: z.number().int().positive() })).default([]),
    }),
  });
  const bound = bindSession(account, TypedSession<object, unknown>, superjsonSerializer);

  it("keeps the fields that fit, reports the repair once (phase validate) and saves the repaired data", async () => {
    const store = new MemoryStore({ hashKey: "h".repeat(32) });
    const jar = new CookieJar();
    let ctx = jar.context();
    const raw = await sessions("account", store, { serializer: superjsonSerializer }).get(ctx);
    raw.set("name", "kataras");
    raw.set("visits", -3);
    raw.set("cart", [{ sku: "a", qty: 1 }, { sku: "", qty: 1 }]);
    await raw.save();
    jar.absorb(ctx.headers);

    const reports: [SessionError, ErrorInfo][] = [];
    const onError = vi.fn((err: SessionError, info: ErrorInfo) => void reports.push([err, info]));
    ctx = jar.context();
    const s = await bound.sessions(store, { onError }).get(ctx);
    expect(s.isNew).toBe(false);
    expect(s.untyped.values()).toEqual({ name: "kataras", visits: 0, cart: [{ sku: "a", qty: 1 }] });
    expect(onError).toHaveBeenCalledTimes(1);
    expect(reports[0]?.[1]).toEqual({ name: "account", phase: "validate" });
    expect((reports[0]?.[0] as SessionValidationError).issues.map((issue) => issue.path)).toEqual(["visits", "cart.1.sku"]);
    await s.save();
    jar.absorb(ctx.headers);

    const again = await bound.sessions(store, { onError }).get(jar.context());
    expect(again.untyped.values()).toEqual({ name: "kataras", visits: 0, cart: [{ sku: "a", qty: 1 }] });
    expect(onError).toHaveBeenCalledTimes(1);
  });
});
