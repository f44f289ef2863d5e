import fc from "fast-check";
import superjson from "superjson";
import { describe, expect, it } from "vitest";
import { isPlainJson } from "../../src/serializers/plain-json.ts";
import { superjsonSerializer } from "../../src/codec.ts";

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString("utf8");
const anyValue = fc.anything({
  withDate: true,
  withMap: true,
  withSet: true,
  withBigInt: true,
  withNullPrototype: true,
  withSparseArray: true,
  withUnicodeString: true,
});

function superjsonOutput(value: unknown): string | undefined {
  try {
    return superjson.stringify(value);
  } catch {
    return undefined;
  }
}

describe("superjson serializer", () => {
  it("writes exactly superjson's bytes for plain JSON values", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const expected = superjsonOutput(value); // superjson refuses keys such as "__proto__"
        if (expected === undefined) expect(() => superjsonSerializer.serialize(value)).toThrow();
        else expect(text(superjsonSerializer.serialize(value))).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });

  it("writes exactly superjson's bytes for any value superjson accepts", () => {
    fc.assert(
      fc.property(anyValue, (value) => {
        const expected = superjsonOutput(value);
        if (expected === undefined) {
          expect(() => superjsonSerializer.serialize(value)).toThrow();
        } else {
          expect(text(superjsonSerializer.serialize(value))).toBe(expected);
        }
      }),
      { numRuns: 500 },
    );
  });

  it.each([
    ["-0", -0],
    ["NaN", Number.NaN],
    ["an undefined field", { a: undefined }],
    ["a sparse array", [1, , 3]],
    ["a Date", { at: new Date(0) }],
    [
      "a shared object",
      (() => {
        const shared = { x: 1 };
        return { a: shared, b: shared };
      })(),
    ],
    [
      "an object shared deeper down, or holding itself",
      (() => {
        const shared = { x: 1 };
        const cycle: Record<string, unknown> = {};
        cycle["self"] = [cycle];
        return { lists: [[shared], [{ y: shared }]], cycle };
      })(),
    ],
    ["a null-prototype object", Object.create(null) as object],
    ["a __proto__ key", JSON.parse('{"__proto__": 1}') as object],
  ])("leaves %s to superjson", (_label, value) => {
    expect(isPlainJson(value)).toBe(false);
  });

  it("reads what superjson writes", () => {
    fc.assert(
      fc.property(anyValue, (value) => {
        const written = superjsonOutput(value);
        if (written === undefined) return;
        expect(superjsonSerializer.deserialize(Buffer.from(written))).toEqual(superjson.parse(written));
      }),
      { numRuns: 300 },
    );
  });
});
