import fc from "fast-check";
import superjson from "superjson";
import { describe, expect, it } from "vitest";
import { createPlanSerializer, stringifyWithPlan, type SerializerPlan } from "../../src/serializers/plan-serializer.ts";
import { parseSuperjson } from "../../src/serializers/superjson-reader.ts";

const json = { t: "json" } as const;
const date = { t: "date" } as const;

/** A plan shaped like a session with every rich kind the code generator knows. */
const plan: SerializerPlan = {
  t: "object",
  fields: {
    name: json,
    at: date,
    maybeAt: date,
    big: { t: "bigint" },
    tags: { t: "set", value: json },
    seen: { t: "map", key: json, value: date },
    cart: { t: "array", element: { t: "object", fields: { sku: json, addedAt: date } } },
    byKey: { t: "record", value: date },
    nested: { t: "object", fields: { note: json, when: date } },
    anything: { t: "any" },
    _flash: { t: "array", element: json },
  },
};

const key = fc.string({ maxLength: 6 }).filter((k) => !["__proto__", "constructor", "prototype"].includes(k));
const aDate = fc.date({ noInvalidDate: true });
const plain = fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.boolean(), fc.constant(null));

const values = fc.record(
  {
    name: fc.string({ maxLength: 10 }),
    at: aDate,
    maybeAt: fc.option(aDate, { nil: undefined }),
    big: fc.bigInt(),
    tags: fc.array(fc.string({ maxLength: 4 }), { maxLength: 4 }).map((a) => new Set(a)),
    seen: fc.array(fc.tuple(key, aDate), { maxLength: 3 }).map((a) => new Map(a)),
    cart: fc.array(fc.record({ sku: fc.string({ maxLength: 4 }), addedAt: aDate }, { requiredKeys: ["sku"], noNullPrototype: true }), { maxLength: 3 }),
    byKey: fc.dictionary(key, aDate, { maxKeys: 3, noNullPrototype: true }),
    nested: fc.record({ note: fc.string({ maxLength: 4 }), when: fc.option(aDate, { nil: undefined }) }, { noNullPrototype: true }),
    anything: fc.oneof(plain, aDate, fc.array(plain, { maxLength: 3 })),
    _flash: fc.array(fc.string({ maxLength: 4 }), { maxLength: 2 }),
    extra: fc.oneof(plain, aDate, fc.bigInt()),
  },
  { requiredKeys: ["name"], noNullPrototype: true },
);

describe("the schema-compiled serializer", () => {
  it("writes the same bytes as superjson.stringify when superjson writes no shared references", () => {
    fc.assert(
      fc.property(values, (value) => {
        const expected = superjson.stringify(value);
        fc.pre(!expected.includes('"referentialEqualities"'));
        expect(stringifyWithPlan(plan, value)).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });

  it("writes text superjson.parse reads back to an equal value", () => {
    fc.assert(
      fc.property(values, (value) => {
        expect(superjson.parse(stringifyWithPlan(plan, value))).toStrictEqual(value);
      }),
      { numRuns: 300 },
    );
  });

  it("reads superjson.stringify output to the same value superjson.parse does", () => {
    fc.assert(
      fc.property(values, (value) => {
        const text = superjson.stringify(value);
        expect(parseSuperjson(text)).toStrictEqual(superjson.parse(text));
      }),
      { numRuns: 300 },
    );
  });

  it("reads plain JSON written as {\"json\":…} to the same value superjson.parse does, whatever the value holds", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        // superjson's form for plain JSON (superjson.stringify itself refuses a "__proto__" key, which JSON may hold).
        const text = `{"json":${JSON.stringify(value)}}`;
        expect(parseSuperjson(text)).toStrictEqual(superjson.parse(text));
      }),
      { numRuns: 500 },
    );
    const edges = [
      '{"json":{"x":0,"v":1}}', // ends like metadata, holds none
      '{"json":{"meta":{"values":{"a":["Date"]},"v":1}}}', // metadata-shaped values
      '{"json":{"a":"2020-01-01T00:00:00.000Z"},"meta":{"values":{"a":["Date"]}}}', // an older superjson's metadata (no "v")
      '{"json":{"a":"2020-01-01T00:00:00.000Z"},"meta":{"values":{"a":["Date"]},"v":1}}',
      '{"json":1,"json":2}', // a duplicate key: the last wins, as in JSON.parse
      '{"json":{"a":1},"other":{"b":2}}',
      '{"json":"}"}',
      '{"json":{"__proto__":{"x":1}}}',
      '{"json":null}',
    ];
    for (const text of edges) expect(parseSuperjson(text)).toStrictEqual(superjson.parse(text));
  });

  it("round-trips bytes through createPlanSerializer", () => {
    const serializer = createPlanSerializer(plan);
    fc.assert(
      fc.property(values, (value) => {
        expect(serializer.deserialize(serializer.serialize(value))).toStrictEqual(value);
      }),
      { numRuns: 200 },
    );
  });

  it("falls back to superjson when the same bigint or Date appears twice", () => {
    const at = new Date(0);
    const value = { name: "x", at, maybeAt: at, big: 1n, extra: 1n };
    expect(stringifyWithPlan(plan, value)).toBe(superjson.stringify(value));
  });

  it("annotates a root that is itself rich with a bare tree", () => {
    const root = new Date(5);
    expect(stringifyWithPlan(date, root)).toBe(superjson.stringify(root));
    const map = new Map([["a", new Date(1)]]);
    expect(stringifyWithPlan({ t: "map", key: json, value: date }, map)).toBe(superjson.stringify(map));
  });

  it.each(["__proto__", "constructor", "prototype"])("refuses a %s key as superjson does, instead of dropping its value", (key) => {
    const byKey = JSON.parse(`{"${key}": "2026-01-01T00:00:00.000Z"}`) as Record<string, unknown>;
    byKey[key] = new Date(0);
    expect(() => superjson.stringify({ byKey })).toThrow();
    expect(() => stringifyWithPlan(plan, { byKey })).toThrow(new RegExp(key));
  });

  it("refuses metadata paths that reach into an object's prototype", () => {
    expect(() => parseSuperjson('{"json":{},"meta":{"values":{"__proto__.x":["Date"]},"v":1}}')).toThrow(/forbidden/);
  });
});
