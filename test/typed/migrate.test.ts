import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { SessionValidationError } from "../../src/errors.ts";
import type { ValidateInfo } from "../../src/session/session-config.ts";
import { superjsonSerializer } from "../../src/serializers/serializers.ts";
import { MemoryStore } from "../../src/stores/memory-store.ts";
import { bindSession } from "../../src/typed/bind-session.ts";
import { defineSession, type OnInvalid } from "../../src/typed/define-session.ts";
import { TypedSession } from "../../src/typed/typed-session.ts";
import { createValidator } from "../../src/typed/validate.ts";
import { CookieJar } from "../stores/cookie-jar.ts";

const v1 = z.object({ name: z.string().default(""), cart: z.array(z.string()).default([]) });
const item = z.object({ sku: z.string().min(1), qty: z.number().int().positive() });
const v2 = z.object({ name: z.string().default(""), cart: z.array(item).default([]) });
const v3 = z.object({ firstName: z.string().default(""), lastName: z.string().default(""), cart: z.array(item).default([]) });
const flash = z.string();

const up12 = (old: z.output<typeof v1>): z.input<typeof v2> => ({ name: old.name, cart: old.cart.map((sku) => ({ sku, qty: 1 })) });
const up23 = (old: z.output<typeof v2>): z.input<typeof v3> => {
  const [firstName = "", ...rest] = old.name.split(" ");
  return { firstName, lastName: rest.join(" "), cart: old.cart };
};

/** The shop session at v3, migrating from v1; `step23` replaces the v2 → v3 step. */
function shop(onInvalid?: OnInvalid, step23: (old: z.output<typeof v2>) => z.input<typeof v3> = up23) {
  return defineSession({ name: "shop", version: 3, data: v3, flash, onInvalid, migrate: (from) => from(v1).to(v2, up12).to(v3, step23) });
}

function infoOf(version: number | undefined): ValidateInfo & { readonly reports: SessionValidationError[] } {
  const reports: SessionValidationError[] = [];
  return { version, reports, repaired: (err) => reports.push(err) };
}

/** Runs `run` and returns the SessionValidationError it throws; fails the test otherwise. */
function refusal(run: () => unknown): SessionValidationError {
  try {
    run();
  } catch (err) {
    if (err instanceof SessionValidationError) return err;
    throw err;
  }
  throw new Error("expected a SessionValidationError, nothing was thrown");
}

const storedV1 = { name: "Ada Lovelace", cart: ["a", "b"], _flash: ["saved"], _csrf: "token" };
const migrated = {
  firstName: "Ada",
  lastName: "Lovelace",
  cart: [{ sku: "a", qty: 1 }, { sku: "b", qty: 1 }],
  _flash: ["saved"],
  _csrf: "token",
};

describe("migrations in the validator", () => {
  it("brings v1 data through every step to v3, carrying the flash list and CSRF token, unreported", () => {
    const info = infoOf(1);
    expect(createValidator(shop())(storedV1, info)).toEqual(migrated);
    expect(info.reports).toEqual([]);
  });

  it("reads data stored without a version as v1", () => {
    expect(createValidator(shop())(storedV1, infoOf(undefined))).toEqual(migrated);
  });

  it("starts v2 data at the v2 → v3 step, and checks v3 data with no step", () => {
    const validate = createValidator(shop());
    expect(validate({ name: "Ada", cart: [{ sku: "a", qty: 2 }] }, infoOf(2))).toEqual({ firstName: "Ada", lastName: "", cart: [{ sku: "a", qty: 2 }] });
    // v3 data runs no step, whatever its shape: `name` is no v3 field and is stripped
    const info = infoOf(3);
    expect(validate({ name: "Ada Lovelace", firstName: "Ada" }, info)).toEqual({ firstName: "Ada", lastName: "", cart: [] });
    expect(info.reports).toEqual([]);
  });

  it("repairs stored data that does not fit its own version's schema before migrating it, and reports it", () => {
    const info = infoOf(1);
    expect(createValidator(shop())({ name: "Ada", cart: ["a", 7] }, info)).toEqual({ firstName: "Ada", lastName: "", cart: [{ sku: "a", qty: 1 }] });
    expect(info.reports).toHaveLength(1);
    const [err] = info.reports as [SessionValidationError];
    expect(err.issues.map((issue) => issue.path)).toEqual(["cart.1"]);
    expect(err.message).toMatch(/session "shop" was migrated from v1 to v3, but the stored v1 data did not fit the v1 schema: 1 field \(cart\.1\) fell back/);
  });

  it("drops carried flash messages that do not fit the current flash schema, and a CSRF token that is no string", () => {
    const info = infoOf(1);
    expect(createValidator(shop())({ ...storedV1, _flash: ["saved", 3], _csrf: 9 }, info)).toEqual({ firstName: "Ada", lastName: "Lovelace", cart: migrated.cart, _flash: ["saved"] });
    const [err] = info.reports as [SessionValidationError];
    expect(err.issues.map((issue) => issue.path)).toEqual(["_flash.1", "_csrf"]);
    expect(err.message).toMatch(/the stored flash messages or CSRF token did not fit the current schema/);
    expect(err.message).not.toMatch(/bug/);
  });

  it.each<OnInvalid>(["reset", "throw"])("refuses stored data that does not fit its version's schema under onInvalid %s", (onInvalid) => {
    const info = infoOf(1);
    const err = refusal(() => createValidator(shop(onInvalid))({ name: "Ada", cart: ["a", 7] }, info));
    expect(err.issues.map((issue) => issue.path)).toEqual(["cart.1"]);
    expect(err.message).toMatch(/session "shop" \(v1\) does not fit the v1 schema of its migrations: cart\.1: Invalid input/);
    expect(info.reports).toEqual([]);
  });

  describe("a step that returns data that does not fit", () => {
    const buggy = (old: z.output<typeof v2>) => ({ firstName: old.name, lastName: 5 as unknown as string, cart: old.cart });

    it("is repaired under onInvalid repair, with a message naming the step", () => {
      const info = infoOf(1);
      expect(createValidator(shop("repair", buggy))(storedV1, info)).toEqual({ ...migrated, firstName: "Ada Lovelace", lastName: "" });
      const [err] = info.reports as [SessionValidationError];
      expect(err.issues).toEqual([{ path: "lastName", code: "invalid_type", message: "Invalid input: expected string, received number" }]);
      expect(err.message).toMatch(/the migration step v2 → v3 returned data that does not fit the v3 schema \(a bug in that step/);
    });

    it("throws under onInvalid throw, naming the step", () => {
      const err = refusal(() => createValidator(shop("throw", buggy))(storedV1, infoOf(1)));
      expect(err.issues.map((issue) => issue.path)).toEqual(["lastName"]);
      expect(err.message).toMatch(/the migration step v2 → v3 of session "shop" returned data that does not fit the v3 schema: lastName: .*This is a bug in the step/);
    });

    it("counts a result that is not an object as an empty one", () => {
      const info = infoOf(1);
      expect(createValidator(shop("repair", () => null as never))(storedV1, info)).toEqual({ firstName: "", lastName: "", cart: [], _flash: ["saved"], _csrf: "token" });
      const [err] = info.reports as [SessionValidationError];
      expect(err.issues).toEqual([{ path: "", code: "invalid_type", message: "Invalid input: expected object, received null" }]);
    });
  });

  describe("a step that throws", () => {
    const boom = new Error("boom");
    const throwing = () => {
      throw boom;
    };

    it("turns into a repair of the stored data against the current schema under onInvalid repair, reported", () => {
      const info = infoOf(2);
      // v2 data checked against v3: `name` is no v3 field (stripped), the cart fits
      expect(createValidator(shop("repair", throwing))({ name: "Ada", cart: [{ sku: "a", qty: 2 }], _flash: ["hi"] }, info)).toEqual({
        firstName: "",
        lastName: "",
        cart: [{ sku: "a", qty: 2 }],
        _flash: ["hi"],
      });
      expect(info.reports).toHaveLength(1);
      const [err] = info.reports as [SessionValidationError];
      expect(err.cause).toBe(boom);
      expect(err.issues).toEqual([]);
      expect(err.message).toMatch(/the migration step v2 → v3 of session "shop" threw \(boom\), so its stored v2 data was checked against the current schema \(v3\) instead: nothing had to be changed\. Fix the step\./);
    });

    it("reports the fields the repair against the current schema dropped", () => {
      const info = infoOf(1);
      createValidator(shop("repair", throwing))(storedV1, info);
      expect((info.reports[0] as SessionValidationError).issues.map((issue) => issue.path)).toEqual(["cart.0", "cart.1"]);
    });

    it.each<OnInvalid>(["reset", "throw"])("throws a SessionValidationError with the error as its cause under onInvalid %s", (onInvalid) => {
      const info = infoOf(1);
      const err = refusal(() => createValidator(shop(onInvalid, throwing))(storedV1, info));
      expect(err.code).toBe("invalid_session_data");
      expect(err.cause).toBe(boom);
      expect(err.message).toMatch(/the migration step v2 → v3 of session "shop" threw \(boom\): its stored v1 data was not migrated/);
      expect(info.reports).toEqual([]);
    });
  });

  describe("data older than the chain", () => {
    // v3 with a chain from v2 only: v1 data has no migration
    const short = (onInvalid?: OnInvalid) =>
      defineSession({ name: "shop", version: 3, data: v3, flash, onInvalid, migrate: (from) => from(v2).to(v3, up23) });

    it("is kept as it is, unreported, when it fits the current schema", () => {
      const info = infoOf(1);
      expect(createValidator(short())({ firstName: "Ada", _csrf: "t" }, info)).toEqual({ firstName: "Ada", lastName: "", cart: [], _csrf: "t" });
      expect(info.reports).toEqual([]);
    });

    it("is repaired against the current schema, reported as having no migration", () => {
      const info = infoOf(1);
      expect(createValidator(short())({ firstName: "Ada", cart: ["a"] }, info)).toEqual({ firstName: "Ada", lastName: "", cart: [] });
      const [err] = info.reports as [SessionValidationError];
      expect(err.issues.map((issue) => issue.path)).toEqual(["cart.0"]);
      expect(err.message).toMatch(/is at version 1, older than its migrations reach \(v2\): no migration exists from v1/);
    });

    it("is refused under onInvalid throw, saying how to migrate it", () => {
      const err = refusal(() => createValidator(short("throw"))({ cart: ["a"] }, infoOf(1)));
      expect(err.message).toMatch(/no migration exists from v1.*start migrate at its schema: from\(v1\)/);
    });

    it("is checked against the current schema in a definition with no chain at all", () => {
      const bumped = defineSession({ name: "shop", version: 2, data: v2 });
      const info = infoOf(1);
      expect(createValidator(bumped)({ name: "Ada", cart: [{ sku: "a", qty: 1 }] }, info)).toEqual({ name: "Ada", cart: [{ sku: "a", qty: 1 }] });
      expect(createValidator(bumped)({ name: 1 }, info)).toEqual({ name: "", cart: [] });
      expect(info.reports.map((err) => err.issues.map((issue) => issue.path))).toEqual([["name"]]);
    });
  });

  describe("data newer than the current version", () => {
    const newer = { firstName: "Ada", middleName: "King", cart: [{ sku: "a", qty: 0 }, { sku: "b", qty: 1 }], _flash: ["hi"] };
    const served = { firstName: "Ada", lastName: "", cart: [{ sku: "b", qty: 1 }], _flash: ["hi"] };

    it.each<OnInvalid>(["repair", "reset"])("is repaired in memory and not reported under onInvalid %s", (onInvalid) => {
      const info = infoOf(4);
      expect(createValidator(shop(onInvalid))(newer, info)).toEqual(served);
      expect(info.reports).toEqual([]);
    });

    it("is kept, stripped of the fields this version does not know, when it fits", () => {
      const info = infoOf(7);
      expect(createValidator(shop("throw"))({ firstName: "Ada", middleName: "King" }, info)).toEqual({ firstName: "Ada", lastName: "", cart: [] });
    });

    it("is refused under onInvalid throw when a field does not fit", () => {
      const err = refusal(() => createValidator(shop("throw"))(newer, infoOf(4)));
      expect(err.issues.map((issue) => issue.path)).toEqual(["cart.0.qty"]);
      expect(err.message).toMatch(/written by a newer version of it \(v4; this server knows up to v3\)/);
    });
  });
});

describe("the migrate chain's types", () => {
  it("types each step's input as the previous schema's output and its result as the next schema's input", () => {
    const definition = defineSession({
      name: "typed",
      version: 3,
      data: v3,
      migrate: (from) =>
        from(v1)
          .to(v2, (old) => {
            expectTypeOf(old).toEqualTypeOf<{ name: string; cart: string[] }>();
            // defaulted fields of v2 may be left out
            return { cart: old.cart.map((sku) => ({ sku, qty: 1 })) };
          })
          .to(v3, (old) => {
            expectTypeOf(old).toEqualTypeOf<{ name: string; cart: { sku: string; qty: number }[] }>();
            return { firstName: old.name };
          }),
    });
    expect(definition.versions.map((v) => v.version)).toEqual([1, 2, 3]);
  });

  it("rejects a step whose result does not fit the next schema's input, and a chain that does not end at data", () => {
    const wrongResult = () =>
      defineSession({
        name: "typed",
        version: 2,
        data: v2,
        // @ts-expect-error: qty must be a number
        migrate: (from) => from(v1).to(v2, (old) => ({ cart: old.cart.map((sku) => ({ sku, qty: "1" })) })),
      });
    const wrongInput = () =>
      defineSession({
        name: "typed",
        version: 2,
        data: v2,
        // @ts-expect-error: v1's output has no `firstName`
        migrate: (from) => from(v1).to(v2, (old) => ({ name: old.firstName })),
      });
    const wrongEnd = () =>
      defineSession({
        name: "typed",
        version: 2,
        data: v3,
        // @ts-expect-error: the chain must end at `data` (v3), not v2
        migrate: (from) => from(v1).to(v2, up12),
      });
    // The checks above are the type checker's; at run time the definitions are still built (or refused).
    expect(wrongResult().versions).toHaveLength(2);
    expect(wrongInput().versions).toHaveLength(2);
    expect(wrongEnd).toThrow(/the migrate chain must end at `data`/);
  });
});

describe("a migrated typed session, through a store", () => {
  it("is loaded migrated from the version it was saved at, reported only when repaired", async () => {
    const store = new MemoryStore({ hashKey: "h".repeat(32) });
    const old = bindSession(defineSession({ name: "shop", data: v1, flash }), TypedSession<object, unknown>, superjsonSerializer);
    let steps = 0;
    const counted = (data: z.output<typeof v2>) => {
      steps++;
      return up23(data);
    };
    const current = bindSession(shop("repair", counted), TypedSession<object, unknown>, superjsonSerializer);
    const jar = new CookieJar();
    const ctx = jar.context();
    const first = await old.sessions(store).get(ctx);
    first.untyped.set("name", "Ada Lovelace");
    first.untyped.set("cart", ["a"]);
    first.untyped.addFlash("welcome");
    await first.save();
    jar.absorb(ctx.headers);

    const errors: unknown[] = [];
    const loaded = await current.sessions(store, { onError: (err) => errors.push(err) }).get(jar.context());
    expect(loaded.isNew).toBe(false);
    expect(loaded.untyped.values()).toEqual({ firstName: "Ada", lastName: "Lovelace", cart: [{ sku: "a", qty: 1 }], _flash: ["welcome"] });
    expect(steps).toBe(1);
    expect(errors).toEqual([]);
  });
});
