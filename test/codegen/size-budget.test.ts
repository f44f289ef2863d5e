import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { formatGenHelp, runGen } from "../../cli/gen.ts";
import { sessionModel } from "../../codegen/model.ts";
import {
  COOKIE_LIMIT,
  type CookieSize,
  cookieValueLength,
  estimateSize,
  formatBytes,
  patternBound,
  payloadHeaderLength,
  sizeLine,
  valuesLength,
} from "../../codegen/size-budget.ts";
import { createCodec } from "../../src/codec/codec.ts";
import { MAX_COOKIE_AGE } from "../../src/internal/time.ts";
import { createPlanSerializer } from "../../src/serializers/plan-serializer.ts";
import { jsonSerializer, type Serializer } from "../../src/serializers/serializers.ts";
import { csrfToken } from "../../src/session/csrf.ts";
import { CookieStore } from "../../src/stores/cookie-store.ts";
import { encodePayload } from "../../src/stores/payload.ts";
import { bindSession } from "../../src/typed/bind-session.ts";
import { defineSession, type SessionDefinition } from "../../src/typed/define-session.ts";
import { TypedSession } from "../../src/typed/typed-session.ts";
import { user as boundedRepoUser } from "../../schemas/user.ts";

/** schemas/user.ts as it was before its fields were bounded: the cart and the flash text unbounded. */
const user = defineSession({
  name: "user_sessions",
  data: z.object({
    name: z.string().max(100).default(""),
    visits: z.number().int().nonnegative().default(0),
    lastSeen: z.date().optional(),
    cart: z.array(z.object({ sku: z.string().min(1), qty: z.number().int().positive() })).default([]),
  }),
  flash: z.object({ kind: z.enum(["info", "error"]), text: z.string() }),
});
import { CookieJar } from "../stores/cookie-jar.ts";

const hashKey = "h".repeat(32);
const blockKey = "b".repeat(32);

class AnySession extends TypedSession<Record<string, unknown>, unknown> {}

/** The serializer the generated module of `definition` uses (what emit.ts chooses). */
function serializerOf(definition: SessionDefinition): Serializer {
  const model = sessionModel("s", definition);
  return model.needsSuperjson ? createPlanSerializer(model.plan) : jsonSerializer;
}

/** The text the session's serializer writes for `values`, in bytes. */
function serializedLength(definition: SessionDefinition, values: Record<string, unknown>): number {
  return Buffer.byteLength((serializerOf(definition).stringify as (v: unknown) => string)(values));
}

interface Measured {
  readonly aes: { readonly value: number; readonly header: number };
  readonly signed: { readonly value: number; readonly header: number };
}

/**
 * Saves `data` (checked against the schema first) with `flashes` and a CSRF token through a real CookieStore,
 * with and without a block key, and measures the `Set-Cookie` header and the cookie value it sets. The
 * session's maxAge is set to 400 days, so that the payload header and the attributes carry the longest one.
 */
async function measure(definition: SessionDefinition, data: Record<string, unknown>, flashes: readonly unknown[]): Promise<Measured> {
  const parsed = (definition.data as unknown as z.ZodObject).parse(data) as Record<string, unknown>;
  const bound = bindSession(definition, AnySession, serializerOf(definition));
  const once = async (store: CookieStore) => {
    const ctx = new CookieJar().context();
    const session = await bound.sessions(store).get(ctx);
    for (const [key, value] of Object.entries(parsed)) session.untyped.set(key, value);
    for (const flash of flashes) session.addFlash(flash);
    csrfToken(session);
    session.cookie.maxAge = MAX_COOKIE_AGE;
    await session.save();
    const [header] = ctx.headers.getSetCookie();
    if (header === undefined) throw new Error("no Set-Cookie header");
    const value = header.slice(definition.name.length + 1, header.indexOf(";"));
    // The cookie reads back: the measured value is a real one.
    const jar = new CookieJar();
    jar.cookies.set(definition.name, value);
    const again = await bound.sessions(store).get(jar.context());
    expect(again.isNew).toBe(false);
    return { value: Buffer.byteLength(value), header: Buffer.byteLength(header) };
  };
  return {
    // maxLength 0: no limit, so that worst cases over 4096 bytes can be measured too.
    aes: await once(new CookieStore({ hashKey, blockKey, maxLength: 0 })),
    signed: await once(new CookieStore({ hashKey, signedOnly: true, maxLength: 0 })),
  };
}

/** The estimate is never below the real size, and not far above it: at most 10% + 40 bytes over. */
function expectClose(estimate: CookieSize | undefined, actual: Measured): void {
  expect(estimate).toBeDefined();
  const e = estimate as CookieSize;
  for (const mode of ["aes", "signed"] as const) {
    for (const part of ["value", "header"] as const) {
      expect(e[mode][part], `${mode} ${part}`).toBeGreaterThanOrEqual(actual[mode][part]);
      expect(e[mode][part], `${mode} ${part}`).toBeLessThanOrEqual(Math.ceil(actual[mode][part] * 1.1) + 40);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Test schemas and their worst-case values

/** Strings, numbers, enums and literals: plain JSON. */
const profile = defineSession({
  name: "profile",
  data: z.object({
    name: z.string().max(40).default(""),
    code: z.string().length(8).optional(),
    id: z.uuid().optional(),
    email: z.email().max(60).optional(),
    theme: z.enum(["light", "dark", "high-contrast"]).default("light"),
    visits: z.number().int().nonnegative().default(0),
    score: z.number().default(0),
    admin: z.boolean().default(false),
    nickname: z.string().max(12).nullable().default(null),
    "content-type": z.literal(["text/html", "application/json"]).optional(),
  }),
  flash: z.string().max(50),
});
const profileWorst = {
  name: "\u0001".repeat(40), // six bytes each in JSON: \u0001
  code: "\u0000".repeat(8),
  id: "ffffffff-ffff-ffff-ffff-ffffffffffff",
  email: `${"a".repeat(48)}@example.com`,
  theme: "high-contrast",
  visits: Number.MAX_SAFE_INTEGER,
  score: -1.2345678901234567e-100,
  admin: false,
  nickname: "\u0002".repeat(12),
  "content-type": "application/json",
};
const profileFlash = "\u001f".repeat(50);

/** Arrays of nested objects, a tuple, a pattern-restricted string: still plain JSON. */
const cart = defineSession({
  name: "cart",
  data: z.object({
    items: z
      .array(
        z.object({
          sku: z.string().min(1).max(12),
          qty: z.number().int().min(1).max(99),
          note: z.string().max(20).regex(/^[\p{L}\p{N} ]*$/u).default(""),
        }),
      )
      .max(20)
      .default([]),
    tags: z.array(z.enum(["new", "sale", "clearance"])).max(5).default([]),
    coupon: z.tuple([z.string().max(4), z.number().int().min(0).max(100)]).optional(),
  }),
  flash: z.object({ kind: z.enum(["info", "error"]), text: z.string().max(80) }),
});
const cartWorst = {
  // "𝒜" (U+1D49C, a letter) is four bytes: the most \p{L} allows.
  items: Array.from({ length: 20 }, () => ({ sku: "\u0001".repeat(12), qty: 99, note: "𝒜".repeat(20) })),
  tags: ["clearance", "clearance", "clearance", "clearance", "clearance"],
  coupon: ["\u0001".repeat(4), 100],
};
const cartFlash = { kind: "error", text: "\u0001".repeat(80) };

/** Dates, a Map, a Set, a BigInt and a nested optional field: superjson, with one Date shared everywhere. */
const activity = defineSession({
  name: "activity",
  data: z.object({
    lastSeen: z.date().optional(),
    seen: z.map(z.string().max(8), z.date()).max(12).default(new Map()),
    roles: z.set(z.enum(["read", "write", "admin"])).max(3).default(new Set()),
    balance: z.bigint().min(-(10n ** 12n)).max(10n ** 12n).default(0n),
    profile: z.object({ nick: z.string().max(10).optional(), born: z.date() }).optional(),
    history: z.array(z.date()).max(15).default([]),
  }),
  flash: z.object({ at: z.date(), text: z.string().max(30) }),
});
const far = new Date(8.64e15); // +275760-09-13T00:00:00.000Z: the longest ISO text
const activityWorst = {
  lastSeen: far,
  seen: new Map(Array.from({ length: 12 }, (_, i) => [`${"\u0001".repeat(7)}${String.fromCharCode(14 + i)}`, far])),
  roles: new Set(["write", "admin", "read"]),
  balance: -(10n ** 12n),
  profile: { nick: "\u0003".repeat(10), born: far },
  history: Array.from({ length: 15 }, () => far),
};
const activityFlash = { at: far, text: "\u0001".repeat(30) };

/** schemas/user.ts with bounds added. */
const boundedUser = defineSession({
  name: "user_sessions",
  data: z.object({
    name: z.string().max(100).default(""),
    visits: z.number().int().nonnegative().default(0),
    lastSeen: z.date().optional(),
    cart: z.array(z.object({ sku: z.string().min(1).max(32), qty: z.number().int().positive().max(999) })).max(20).default([]),
  }),
  flash: z.object({ kind: z.enum(["info", "error"]), text: z.string().max(200) }),
});
const boundedUserWorst = {
  name: "\u0001".repeat(100),
  visits: Number.MAX_SAFE_INTEGER,
  lastSeen: far,
  cart: Array.from({ length: 20 }, () => ({ sku: "\u0001".repeat(32), qty: 999 })),
};
const boundedUserFlash = { kind: "error", text: "\u0001".repeat(200) };

/** By label (it.each would print the definitions, and a multi-value z.literal's `.value` getter throws). */
const cases: Record<string, readonly [SessionDefinition, Record<string, unknown>, unknown]> = {
  "profile (strings, numbers, enums)": [profile, profileWorst, profileFlash],
  "cart (arrays, nested objects, a tuple)": [cart, cartWorst, cartFlash],
  "activity (Dates, Map, Set, BigInt)": [activity, activityWorst, activityFlash],
  "schemas/user.ts, bounded": [boundedUser, boundedUserWorst, boundedUserFlash],
};

// ---------------------------------------------------------------------------------------------------------

describe("the codec's arithmetic", () => {
  it("gives the exact length of real encodes, with and without a block key", () => {
    const aes = createCodec({ hashKey, blockKey, serializer: "raw", maxLength: 0 });
    const signed = createCodec({ hashKey, serializer: "raw", maxLength: 0 });
    for (let n = 0; n < 400; n++) {
      const bytes = new Uint8Array(n).fill(7);
      expect(aes.encode("s", bytes).length).toBe(cookieValueLength(n, true));
      expect(signed.encode("a_longer_name", bytes).length).toBe(cookieValueLength(n, false));
    }
    expect(aes.encode("s", new Uint8Array(3000)).length).toBe(cookieValueLength(3000, true));
  });

  it("gives the length of the longest payload header", () => {
    // accessedAt is written as seconds after createdAt only where that is shorter: the longest header has it whole.
    const record = { values: {}, createdAt: 1_000_000_000, accessedAt: 9_999_999_999, maxAge: MAX_COOKIE_AGE };
    const head = (version: number | undefined) => encodePayload("s", jsonSerializer, { ...record, version }).length - "{}\n".length;
    expect(payloadHeaderLength(1)).toBe(head(undefined));
    expect(payloadHeaderLength(1)).toBe(head(1));
    expect(payloadHeaderLength(12)).toBe(head(12));
  });
});

describe("the worst-case serialized values", () => {
  it("are exactly the longest text when every worst value can be stored together (plain JSON)", () => {
    for (const [definition, data, flash] of [
      [profile, profileWorst, profileFlash],
      [cart, cartWorst, cartFlash],
    ] as const) {
      const parsed = (definition.data as unknown as z.ZodObject).parse(data) as Record<string, unknown>;
      const values = { ...parsed, _csrf: "x".repeat(43) };
      expect(sessionModel("s", definition).needsSuperjson).toBe(false);
      expect(valuesLength(definition, false, 0).bytes).toBe(serializedLength(definition, values));
      expect(valuesLength(definition, false, 1).bytes).toBe(serializedLength(definition, { ...values, _flash: [flash] }));
      expect(valuesLength(definition, false, 12).bytes).toBe(serializedLength(definition, { ...values, _flash: Array(12).fill(flash) }));
    }
  });

  it("are exactly superjson's text, annotations and Set/Map trees included, when nothing can be shared", () => {
    const rich = defineSession({
      name: "rich",
      data: z.object({
        s: z.set(z.string().max(3)).max(2).default(new Set()),
        m: z.map(z.string().max(2), z.set(z.number().int().min(0).max(9)).max(1)).max(2).default(new Map()),
        at: z.date().optional(),
        o: z.object({ n: z.number().int().min(0).max(9).optional() }).default({}),
      }),
    });
    const values = {
      s: new Set(["\u0001\u0001\u0001", "\u0002\u0002\u0002"]),
      m: new Map([
        ["\u0001\u0001", new Set([9])],
        ["\u0002\u0002", new Set([8])],
      ]),
      at: far,
      o: { n: undefined },
      _csrf: "x".repeat(43),
    };
    expect((serializerOf(rich).stringify as (v: unknown) => string)(values)).toContain('"m":["map",{"0.1":["set"],"1.1":["set"]}]');
    expect(valuesLength(rich, true, 0).bytes).toBe(serializedLength(rich, values));
  });

  it("are at least superjson's text, shared Dates and annotations included", () => {
    const parsed = (activity.data as unknown as z.ZodObject).parse(activityWorst) as Record<string, unknown>;
    const values = { ...parsed, _csrf: "x".repeat(43), _flash: [activityFlash, activityFlash] };
    const text = (serializerOf(activity).stringify as (v: unknown) => string)(values);
    expect(text).toContain('"referentialEqualities"'); // the shared Date is listed
    const estimate = valuesLength(activity, true, 2).bytes;
    expect(estimate).toBeGreaterThanOrEqual(Buffer.byteLength(text));
    expect(estimate).toBeLessThanOrEqual(Buffer.byteLength(text) * 1.1);
  });

  it("count an optional nested value as null with an undefined annotation when that is longer", () => {
    const session = defineSession({ name: "s", data: z.object({ o: z.object({ n: z.number().int().min(0).max(9).optional() }).default({}) }) });
    const longest = serializedLength(session, { o: { n: undefined }, _csrf: "x".repeat(43) });
    expect(longest).toBeGreaterThan(serializedLength(session, { o: { n: 9 }, _csrf: "x".repeat(43) }));
    expect(valuesLength(session, true, 0).bytes).toBe(longest);
  });
});

describe("estimateSize against real cookies", () => {
  it.each(Object.keys(cases))("%s: at least the real Set-Cookie header and value, at most 10 percent + 40 bytes over", async (label) => {
    const [definition, data, flash] = cases[label] as (typeof cases)[string];
    const estimate = estimateSize("s", definition);
    expect(estimate.unbounded).toEqual([]);
    expect(estimate.flashUnbounded).toEqual([]);
    expectClose(estimate.withoutFlash, await measure(definition, data, []));
    expectClose(estimate.withFlash, await measure(definition, data, [flash]));
    // Each further flash adds at most perFlash to the header.
    const two = await measure(definition, data, [flash, flash]);
    expect((estimate.withFlash as CookieSize).aes.header + (estimate.perFlash as number)).toBeGreaterThanOrEqual(two.aes.header);
  });

  it("stays above the real size for random values that fit the schema", async () => {
    const text = (max: number) => fc.string({ unit: "binary", maxLength: max });
    const cartValue = fc.record({
      items: fc.array(
        fc.record({
          sku: text(12).filter((s) => s.length > 0),
          qty: fc.integer({ min: 1, max: 99 }),
          note: fc.string({ unit: "binary", maxLength: 20 }).map((s) => s.replace(/[^\p{L}\p{N} ]/gu, "")),
        }),
        { maxLength: 20 },
      ),
      tags: fc.array(fc.constantFrom("new", "sale", "clearance"), { maxLength: 5 }),
    });
    const activityValue = fc.record({
      lastSeen: fc.date({ noInvalidDate: true }),
      seen: fc.uniqueArray(fc.tuple(text(8), fc.date({ noInvalidDate: true })), { maxLength: 12, selector: ([k]) => k }).map((entries) => new Map(entries)),
      balance: fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }),
      history: fc.array(fc.date({ noInvalidDate: true }), { maxLength: 15 }),
    });
    const cartEstimate = estimateSize("cart", cart).withFlash as CookieSize;
    const activityEstimate = estimateSize("activity", activity).withFlash as CookieSize;
    await fc.assert(
      fc.asyncProperty(cartValue, text(80), async (data, flashText) => {
        fc.pre((cart.data as unknown as z.ZodObject).safeParse(data).success);
        const real = await measure(cart, data, [{ kind: "info", text: flashText }]);
        expect(real.aes.header).toBeLessThanOrEqual(cartEstimate.aes.header);
        expect(real.signed.header).toBeLessThanOrEqual(cartEstimate.signed.header);
      }),
      { numRuns: 40 },
    );
    await fc.assert(
      fc.asyncProperty(activityValue, async (data) => {
        fc.pre((activity.data as unknown as z.ZodObject).safeParse(data).success);
        const real = await measure(activity, data, [{ at: data.lastSeen, text: "x" }]);
        expect(real.aes.header).toBeLessThanOrEqual(activityEstimate.aes.header);
      }),
      { numRuns: 40 },
    );
  });

  it("counts the definition's cookie attributes and a version in the payload header", async () => {
    const plain = defineSession({ name: "s", data: z.object({ n: z.string().max(10).default("") }) });
    const ornate = defineSession({
      name: "s",
      data: z.object({ n: z.string().max(10).default("") }),
      cookie: { path: "/a/long/path/for/the/app", domain: "app.example.com", priority: "medium", sameSite: "strict" },
      version: 1234,
    });
    const data = { n: "\u0001".repeat(10) };
    expectClose(estimateSize("s", ornate).withoutFlash, await measure(ornate, data, []));
    const extra = estimateSize("s", ornate).attributes - estimateSize("s", plain).attributes;
    expect(extra).toBe("; Domain=app.example.com; Path=/a/long/path/for/the/app; Priority=Medium; SameSite=Strict".length - "; Path=/; SameSite=Lax".length);
  });
});

describe("unbounded fields", () => {
  it("are reported by dotted path, containers before what they hold", () => {
    const open = defineSession({
      name: "open",
      data: z.object({
        note: z.string(),
        items: z.array(z.string().max(3)),
        meta: z.record(z.string(), z.number()),
        nested: z.object({ deep: z.array(z.object({ x: z.string(), y: z.string().max(2) })).max(2) }),
        ok: z.string().max(5),
        blob: z.unknown(),
        loose: z.looseObject({ a: z.string().max(1) }),
        list: z.array(z.object({ s: z.string() })),
        byKey: z.record(z.enum(["a", "b"]), z.string()),
      }),
    });
    const estimate = estimateSize("open", open);
    expect(estimate.unbounded).toEqual(["note", "items", "meta", "nested.deep[].x", "blob", "loose.*", "list", "list[].s", "byKey[]"]);
    expect(estimate.flashUnbounded).toEqual(["flash"]); // untyped flashes
    expect(estimate.withoutFlash).toBeUndefined();
    expect(estimate.withFlash).toBeUndefined();
  });

  it("in flashes only leave the estimate without flashes", () => {
    const session = defineSession({ name: "s", data: z.object({ n: z.string().max(10).default("") }), flash: z.object({ text: z.string() }) });
    const estimate = estimateSize("s", session);
    expect(estimate.unbounded).toEqual([]);
    expect(estimate.flashUnbounded).toEqual(["flash.text"]);
    expect(estimate.withoutFlash).toBeDefined();
    expect(estimate.withFlash).toBeUndefined();
  });

  it("in schemas/user.ts before its bounds: the cart and its skus, and the flash text", () => {
    const estimate = estimateSize("user", user);
    expect(estimate.unbounded).toEqual(["cart", "cart[].sku"]);
    expect(estimate.flashUnbounded).toEqual(["flash.text"]);
  });

  it("none in schemas/user.ts now, which fits in one cookie with a flash message", () => {
    const estimate = estimateSize("user", boundedRepoUser);
    expect(estimate.unbounded).toEqual([]);
    expect(estimate.flashUnbounded).toEqual([]);
    expect(sizeLine(estimate, "schemas/user.ts").warning).toBe(false);
  });

  it("are bounded by .max(), .length(), enum keys, formats and finite numeric ranges", () => {
    const session = defineSession({
      name: "s",
      data: z.object({
        a: z.string().length(3),
        b: z.uuid(),
        c: z.record(z.enum(["x", "y"]), z.ipv4()),
        d: z.bigint().positive().max(10n),
        e: z.int64(),
        f: z.set(z.number()).max(2),
        g: z.templateLiteral(["id-", z.number().int().min(0).max(999)]),
        h: z.string().trim().max(4), // the bound comes after the overwrite: it holds
      }),
      flash: z.string().max(1),
    });
    expect(estimateSize("s", session).unbounded).toEqual([]);
    const after = defineSession({ name: "s", data: z.object({ h: z.string().max(4).toUpperCase() }) });
    expect(estimateSize("s", after).unbounded).toEqual(["h"]); // toUpperCase runs after .max(): "ß" becomes "SS"
  });
});

describe("patternBound", () => {
  it("reads anchored patterns: the most bytes of a match and per code point", () => {
    expect(patternBound(/^[a-z]{3,8}$/)).toEqual({ bytes: 8, perCodePoint: 1 });
    expect(patternBound(z.uuid()._zod.def.pattern as RegExp)).toEqual({ bytes: 36, perCodePoint: 1 });
    expect(patternBound(z.ipv6()._zod.def.pattern as RegExp)).toEqual({ bytes: 39, perCodePoint: 1 });
    expect(patternBound(z.email()._zod.def.pattern as RegExp)).toEqual({ bytes: Infinity, perCodePoint: 1 });
    expect(patternBound(/^[\p{L} ]*$/u)).toEqual({ bytes: Infinity, perCodePoint: 4 });
    expect(patternBound(/^\u00e9{2}$/u)).toEqual({ bytes: 4, perCodePoint: 2 });
    expect(patternBound(/^a"\\$/)).toEqual({ bytes: 5, perCodePoint: 2 }); // " and \ escape to two bytes
    expect(patternBound(/^[^a]{3}$/)).toEqual({ bytes: 18, perCodePoint: 6 }); // a negated class allows \u0001
    expect(patternBound(/^[a-z]$/iu)).toEqual({ bytes: 3, perCodePoint: 3 }); // /iu: "k" matches K (U+212A)
  });

  it("gives up on what it cannot bound: no anchors, multiline, backreferences", () => {
    expect(patternBound(/abc/)).toBeUndefined();
    expect(patternBound(/^abc/)).toBeUndefined();
    expect(patternBound(/^abc$/m)).toBeUndefined();
    expect(patternBound(/^(a)\1$/)).toBeUndefined();
  });

  it("never allows less than what actually matches", () => {
    const patterns = [/^[a-z"\\]{0,6}$/, /^(?:[0-9a-f]{2}:){2}[0-9a-f]{2}$|^x{1,3}$/, /^[\u0000-\u00ff]{0,5}$/, /^\p{L}{0,4}$/u];
    for (const pattern of patterns) {
      const bound = patternBound(pattern);
      expect(bound).toBeDefined();
      fc.assert(
        fc.property(fc.stringMatching(pattern), (s) => {
          expect(Buffer.byteLength(JSON.stringify(s)) - 2).toBeLessThanOrEqual((bound as { bytes: number }).bytes);
        }),
        { numRuns: 200 },
      );
    }
  });
});

describe("sizeLine", () => {
  it("says how big a bounded session gets, with a flash and per further flash", () => {
    const small = defineSession({ name: "prefs", data: z.object({ theme: z.enum(["light", "dark"]).default("light") }), flash: z.string().max(40) });
    const estimate = estimateSize("prefs", small);
    const worst = estimate.withFlash as CookieSize;
    expect(worst.aes.header).toBeLessThan(COOKIE_LIMIT);
    expect(sizeLine(estimate, "schemas/prefs.ts")).toEqual({
      text: `prefs (schemas/prefs.ts): at most ${formatBytes(worst.aes.header)} bytes in a cookie (AES: ${formatBytes(worst.aes.header)}; signed only: ${formatBytes(worst.signed.header)}), with 1 flash message (each more adds up to ${formatBytes(estimate.perFlash as number)})`,
      warning: false,
    });
  });

  it("warns over the limit and for unbounded sessions", () => {
    const big = sizeLine(estimateSize("cart", cart), "schemas/cart.ts", 1000);
    expect(big.warning).toBe(true);
    expect(big.text).toMatch(/^cart \(schemas\/cart\.ts\): up to [\d,]+ bytes in a cookie .*: over the 1,000 bytes browsers keep; .*server-side store/);
    expect(sizeLine(estimateSize("user", user), "schemas/user.ts")).toEqual({
      text: "user_sessions (schemas/user.ts): unbounded in a cookie: cart, cart[].sku (add .max(n)); flash messages are unbounded: flash.text (add .max(n)); ignore this if it is kept in a server-side store",
      warning: true,
    });
  });

  it("writes thousands with commas", () => {
    expect([formatBytes(7), formatBytes(4096), formatBytes(1234567)]).toEqual(["7", "4,096", "1,234,567"]);
    expect(COOKIE_LIMIT).toBe(4096);
  });
});

describe("sizeLine with chunking (gen --chunking)", () => {
  const caps = { maxChunks: 4, maxBytes: 6144 };
  /** Thirty notes of up to 100 lower-case letters: about 5.5 KB of cookies at worst, two chunks. */
  const notes = defineSession({ name: "notes", data: z.object({ notes: z.array(z.string().regex(/^[a-z]{0,100}$/)).max(30).default([]) }), flash: z.string().max(10) });
  const worstNotes = { notes: Array.from({ length: 30 }, () => "z".repeat(100)) };

  it("measures a session over 4096 bytes as its chunks, and warns only past the caps", () => {
    const estimate = estimateSize("notes", notes);
    expect((estimate.withFlash as CookieSize).aes.header).toBeGreaterThan(COOKIE_LIMIT);
    expect(sizeLine(estimate, "schemas/notes.ts").warning).toBe(true);
    const line = sizeLine(estimate, "schemas/notes.ts", COOKIE_LIMIT, caps);
    expect(line.warning).toBe(false);
    expect(line.text).toMatch(/^notes \(schemas\/notes\.ts\): at most [\d,]+ bytes of Cookie header in 2 cookies \(AES: [\d,]+ in 2; signed only: [\d,]+ in 2\), chunked, with 1 flash message/);
    const over = sizeLine(estimate, "schemas/notes.ts", COOKIE_LIMIT, { maxChunks: 4, maxBytes: 5000 });
    expect(over.warning).toBe(true);
    expect(over.text).toMatch(/: over the chunking caps \(4 cookies, 5,000 bytes of Cookie header\); bound its fields tighter/);
    const small = estimateSize("prefs", defineSession({ name: "prefs", data: z.object({ theme: z.enum(["light", "dark"]).default("light") }) }));
    expect(sizeLine(small, "p.ts", COOKIE_LIMIT, caps)).toEqual(sizeLine(small, "p.ts")); // one cookie: the same line
  });

  it("stays above what a chunking CookieStore really sends for the worst values", async () => {
    const estimate = estimateSize("notes", notes);
    const bound = bindSession(notes, AnySession, serializerOf(notes));
    const store = new CookieStore({ hashKey, blockKey, chunking: caps });
    const ctx = new CookieJar().context();
    const session = await bound.sessions(store).get(ctx);
    for (const [key, value] of Object.entries(worstNotes)) session.untyped.set(key, value);
    session.addFlash("\u0001".repeat(10));
    csrfToken(session);
    session.cookie.maxAge = MAX_COOKIE_AGE;
    await session.save();
    const jar = new CookieJar();
    jar.absorb(ctx.headers);
    expect(jar.cookies.size).toBe(2);
    const estimated = /bytes of Cookie header in (\d+) cookies \(AES: ([\d,]+)/.exec(sizeLine(estimate, "n.ts", COOKIE_LIMIT, caps).text);
    expect(Number(estimated?.[1])).toBeGreaterThanOrEqual(jar.cookies.size);
    const bytes = Number((estimated?.[2] ?? "").replace(/,/g, ""));
    expect(bytes).toBeGreaterThanOrEqual(jar.header().length);
    expect(bytes).toBeLessThanOrEqual(Math.ceil(jar.header().length * 1.1) + 40);
    expect((await bound.sessions(store).get(jar.context())).isNew).toBe(false);
  });
});

describe("typed-sessions gen", () => {
  const root = fileURLToPath(new URL("../../", import.meta.url));
  const dir = `.tmp-size-test-${process.pid}`;
  afterAll(() => rm(path.join(root, dir), { recursive: true, force: true }));

  const gen = async (...args: string[]) => {
    let out = "";
    let err = "";
    const code = await runGen(["--schemas", dir, ...args], { cwd: root, out: (t) => (out += t), err: (t) => (err += t) });
    return { code, out, err };
  };
  const module = (body: string) => `import { defineSession } from "typed-sessions";\nimport { z } from "zod";\n${body}\n`;
  const fits = defineSession({ name: "prefs", data: z.object({ theme: z.enum(["light", "dark"]).default("light") }), flash: z.string().max(40) });

  it("prints one line per session: fitting ones on stdout, the others as warnings on stderr, exit 0", async () => {
    await mkdir(path.join(root, dir), { recursive: true });
    await writeFile(
      path.join(root, dir, "fits.ts"),
      module('export const prefs = defineSession({ name: "prefs", data: z.object({ theme: z.enum(["light", "dark"]).default("light") }), flash: z.string().max(40) });'),
    );
    await writeFile(
      path.join(root, dir, "big.ts"),
      module('export const big = defineSession({ name: "big", data: z.object({ notes: z.array(z.string().max(100)).max(10).default([]) }), flash: z.string().max(10) });'),
    );
    await writeFile(path.join(root, dir, "open.ts"), module('export const open = defineSession({ name: "open", data: z.object({ note: z.string().default("") }) });'));
    const first = await gen();
    expect(first.code).toBe(0);
    const line = sizeLine(estimateSize("prefs", fits), `${dir}/fits.ts`);
    expect(line.warning).toBe(false);
    expect(first.out).toBe(`wrote ${dir}/big.gen.ts\nwrote ${dir}/fits.gen.ts\nwrote ${dir}/open.gen.ts\n${line.text}\n`);
    const warnings = first.err.split("\n").filter((l) => l !== "");
    expect(warnings).toHaveLength(2);
    const big = estimateSize("big", defineSession({ name: "big", data: z.object({ notes: z.array(z.string().max(100)).max(10).default([]) }), flash: z.string().max(10) }));
    expect(`${warnings[0]}\n`).toBe(`warning: ${sizeLine(big, `${dir}/big.ts`).text}\n`);
    expect(warnings[0]).toMatch(/^warning: big \(.*\): up to [\d,]+ bytes in a cookie \(AES: [\d,]+; signed only: [\d,]+\), with 1 flash message .*: over the 4,096 bytes browsers keep; /);
    expect(warnings[1]).toBe(
      `warning: open (${dir}/open.ts): unbounded in a cookie: note (add .max(n)); flash messages are unbounded: flash (add .max(n)); ignore this if it is kept in a server-side store`,
    );

    // The same schemas give the same lines; --check prints only the warnings (and still passes).
    const again = await gen();
    expect(again.out).toBe(`typed-sessions gen: 3 file(s) up to date.\n${line.text}\n`);
    expect(again.err).toBe(first.err);
    const check = await gen("--check");
    expect(check.code).toBe(0);
    expect(check.out).toBe("typed-sessions gen --check: 3 generated file(s) up to date.\n");
    expect(check.err).toBe(first.err);
  });

  it("measures against a chunking CookieStore's caps with --chunking, and refuses a --chunking=BYTES that is not a number", async () => {
    const chunked = await gen("--chunking"); // big's worst case is about 11 KB: over the default 6144 bytes
    expect(chunked.code).toBe(0);
    expect(chunked.err).toMatch(/^warning: big \(.*\): up to [\d,]+ bytes of Cookie header in 3 cookies .*: over the chunking caps \(4 cookies, 6,144 bytes of Cookie header\)/m);
    const roomy = await gen("--chunking=16000");
    expect(roomy.code).toBe(0);
    expect(roomy.err.split("\n").filter((l) => l !== "")).toEqual([expect.stringMatching(/^warning: open /)]);
    expect(roomy.out).toMatch(/^big \(.*\): at most [\d,]+ bytes of Cookie header in 3 cookies .*, chunked, with 1 flash message/m);
    const bad = await gen("--chunking=lots");
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--chunking=BYTES needs a whole number of bytes, got "lots"/);
    expect(formatGenHelp()).toMatch(/^ {2}--chunking\[=BYTES\] {2,}measure cookie sizes for a CookieStore with chunking: true/m);
  });
});
