import { describe, expect, it } from "vitest";
import { z } from "zod";
import { SessionValidationError } from "../../src/errors.ts";
import { superjsonSerializer } from "../../src/serializers/serializers.ts";
import { bindSession } from "../../src/typed/bind-session.ts";
import { defineSession } from "../../src/typed/define-session.ts";
import { TypedSession } from "../../src/typed/typed-session.ts";
import { createChangeValidator } from "../../src/typed/validate-changes.ts";

let checks = 0;
const definition = defineSession({
  name: "shop",
  data: z.object({
    name: z.string(),
    visits: z.number().int().nonnegative().default(0),
    cart: z.array(z.object({ sku: z.string().min(1), qty: z.number().int().positive() })).default([]),
    address: z.object({ street: z.string(), geo: z.object({ lat: z.number(), lng: z.number() }) }).optional(),
    counted: z
      .string()
      .refine(() => {
        checks++;
        return true;
      })
      .optional(),
  }),
  flash: z.object({ kind: z.enum(["info", "error"]), text: z.string() }),
});
const validateChanges = createChangeValidator(definition);

/** Runs the check and returns the SessionValidationError it throws; fails the test otherwise. */
function refusal(values: Record<string, unknown>, changed: readonly string[]): SessionValidationError {
  try {
    validateChanges(new Map(Object.entries(values)), new Set(changed));
  } catch (err) {
    if (err instanceof SessionValidationError) return err;
    throw err;
  }
  throw new Error("expected a SessionValidationError, nothing was thrown");
}

describe("createChangeValidator", () => {
  it("throws nothing when every changed value fits", () => {
    const values = new Map<string, unknown>([
      ["name", "Ada"],
      ["cart", [{ sku: "a", qty: 1 }]],
      ["_flash", [{ kind: "info", text: "saved" }]],
      ["_csrf", "token"],
    ]);
    expect(validateChanges(values, new Set(values.keys()))).toBeUndefined();
  });

  it("collects every issue across the changed keys into one error with dotted paths", () => {
    const err = refusal(
      { visits: -1, cart: [{ sku: "a", qty: 1 }, { sku: "b", qty: 0 }], address: { street: "Main", geo: { lat: "north", lng: 0 } } },
      ["visits", "cart", "address"],
    );
    expect(err.code).toBe("invalid_session_data");
    expect(err.issues).toEqual([
      { path: "visits", code: "too_small", message: "Too small: expected number to be >=0" },
      { path: "cart.1.qty", code: "too_small", message: "Too small: expected number to be >0" },
      { path: "address.geo.lat", code: "invalid_type", message: "Invalid input: expected number, received string" },
    ]);
    expect(err.message).toMatch(/^typed-sessions: session "shop" was not saved: 3 fields \(visits, cart\.1\.qty, address\.geo\.lat\) would not fit its schema/);
    expect(err.message).toMatch(/nothing was written\. Set fields through the typed session's properties/);
    expect(err.cause).toBeInstanceOf(z.ZodError);
  });

  it("reports a key that is no field of the schema", () => {
    const err = refusal({ name: "Ada", stale: 1 }, ["name", "stale"]);
    expect(err.issues).toEqual([{ path: "stale", code: "unrecognized_keys", message: "not a field of the schema" }]);
    expect(refusal({ constructor: 1 }, ["constructor"]).issues.map((issue) => issue.path)).toEqual(["constructor"]);
  });

  it("checks the flash list against the flash schema and the CSRF token as a string", () => {
    const err = refusal({ _flash: [{ kind: "info", text: "ok" }, { kind: "loud", text: "x" }], _csrf: 5 }, ["_flash", "_csrf"]);
    expect(err.issues.map((issue) => issue.path)).toEqual(["_flash.1.kind", "_csrf"]);
  });

  it("accepts deleted keys, a required field without default among them, and unknown ones", () => {
    expect(validateChanges(new Map([["visits", 2]]), new Set(["name", "visits", "stale"]))).toBeUndefined();
  });

  it("checks only the changed keys, each once", () => {
    const values = new Map<string, unknown>([
      ["visits", -1],
      ["counted", "x"],
      ["name", "Ada"],
    ]);
    checks = 0;
    expect(validateChanges(values, new Set(["name"]))).toBeUndefined();
    expect(checks).toBe(0);
    validateChanges(values, new Set(["counted"]));
    expect(checks).toBe(1);
  });
});

describe("bindSession", () => {
  it("passes the definition's change check as validateChanges", () => {
    const bound = bindSession(definition, TypedSession<object, unknown>, superjsonSerializer);
    const check = bound.config.validateChanges;
    expect(check).toBeTypeOf("function");
    expect(() => check?.(new Map([["cart", [{ sku: "", qty: 1 }]]]), new Set(["cart"]))).toThrow(
      expect.objectContaining({ issues: [expect.objectContaining({ path: "cart.0.sku" })] }),
    );
  });
});
