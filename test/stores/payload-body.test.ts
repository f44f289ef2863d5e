// The compact parts of the session payload: plain-JSON values without superjson's wrapper (default and
// schema-compiled serializers), and accessedAt as seconds after createdAt where that is shorter.
import fc from "fast-check";
import superjson from "superjson";
import { describe, expect, it } from "vitest";
import { createPlanSerializer, type SerializerPlan } from "../../src/serializers/plan-serializer.ts";
import { jsonSerializer, superjsonSerializer, type Serializer } from "../../src/serializers/serializers.ts";
import { decodePayload, encodePayload } from "../../src/stores/payload.ts";

const NOW = 1_796_415_021;
const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString("utf8");
const encoded = (serializer: Serializer, values: Record<string, unknown>, createdAt = NOW, accessedAt = NOW): string =>
  text(encodePayload("s", serializer, { values, createdAt, accessedAt }));
const decoded = (serializer: Serializer, payload: string) => decodePayload("s", serializer, Buffer.from(payload, "utf8"));

const plan: SerializerPlan = { t: "object", fields: { name: { t: "json" }, at: { t: "date" }, json: { t: "json" } } };
const planSerializer = createPlanSerializer(plan);
const superjsonForms: [string, Serializer][] = [["the default (superjson)", superjsonSerializer], ["a schema-compiled", planSerializer]];

describe("payload bodies of superjson-text serializers", () => {
  for (const [label, serializer] of superjsonForms) {
    it(`writes plain-JSON values as their JSON alone with ${label} serializer, and reads them back`, () => {
      expect(encoded(serializer, { name: "ada" })).toBe(`ts1 ${NOW} +0\n{"name":"ada"}`);
      expect(encoded(serializer, {})).toBe(`ts1 ${NOW} +0\n{}`);
      expect(decoded(serializer, `ts1 ${NOW} +0\n{"name":"ada"}`).values).toEqual({ name: "ada" });
    });

    it(`keeps superjson's wrapper where values need it with ${label} serializer: a Date, or a first key "json"`, () => {
      const at = new Date(1_700_000_000_000);
      const rich = encoded(serializer, { name: "ada", at });
      expect(rich).toBe(`ts1 ${NOW} +0\n${superjson.stringify({ name: "ada", at })}`);
      expect(decoded(serializer, rich).values).toEqual({ name: "ada", at });
      // Bare, `{"json":{"a":1}}` would read as superjson's wrapper of {a: 1}: such values stay wrapped.
      const tricky = encoded(serializer, { json: { a: 1 }, name: "x" });
      expect(tricky).toBe(`ts1 ${NOW} +0\n{"json":{"json":{"a":1},"name":"x"}}`);
      expect(decoded(serializer, tricky).values).toEqual({ json: { a: 1 }, name: "x" });
    });

    it(`reads payloads written wrapped, as before bodies were bare, with ${label} serializer`, () => {
      expect(decoded(serializer, 'ts1 10 20\n{"json":{"name":"ada"}}')).toEqual({ values: { name: "ada" }, createdAt: 10, accessedAt: 20 });
      expect(decoded(serializer, 'ts1 10 20\n{"json":{"json":{"a":1}}}').values).toEqual({ json: { a: 1 } });
    });
  }

  it("round-trips any values as superjson does, never in more bytes than superjson's own text", () => {
    const key = fc.string({ maxLength: 6 }).filter((k) => !["__proto__", "constructor", "prototype"].includes(k));
    const leaf = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.date({ noInvalidDate: true }), fc.constant(undefined), fc.bigInt());
    const values = fc.dictionary(fc.oneof(key, fc.constant("json")), leaf, { maxKeys: 5 });
    const write = (value: Record<string, unknown>) => encodePayload("s", superjsonSerializer, { values: value, createdAt: NOW, accessedAt: NOW });
    fc.assert(
      fc.property(values, (value) => {
        // Nested keys superjson refuses (a "prototype" deep in a JSON value): refused here too, as before.
        try {
          superjson.stringify(value);
        } catch {
          expect(() => write(value)).toThrow(expect.objectContaining({ code: "serialize_failed" }));
          return;
        }
        const payload = write(value);
        const wrapped = Buffer.byteLength(`ts1 ${NOW} +0\n${superjson.stringify(value)}`);
        expect(payload.byteLength).toBeLessThanOrEqual(wrapped);
        expect(decodePayload("s", superjsonSerializer, payload).values).toEqual(superjson.parse(superjson.stringify(value)));
      }),
      { numRuns: 500 },
    );
  });

  it("leaves other serializers' bodies as they write them, and reads a bare body with the json serializer", () => {
    expect(encoded(jsonSerializer, { name: "ada" })).toBe(`ts1 ${NOW} +0\n{"name":"ada"}\n`);
    // A session written by the default serializer still reads after switching to "json", and back.
    expect(decoded(jsonSerializer, encoded(superjsonSerializer, { count: 2 })).values).toEqual({ count: 2 });
    expect(decoded(superjsonSerializer, encoded(jsonSerializer, { count: 2 })).values).toEqual({ count: 2 });
  });

  it("refuses a bare body that is not JSON as deserialize_failed", () => {
    expect(() => decoded(superjsonSerializer, `ts1 ${NOW} +0\n{"name":`)).toThrow(expect.objectContaining({ code: "deserialize_failed" }));
    expect(() => decoded(superjsonSerializer, `ts1 ${NOW} +0\n[1]`)).toThrow(expect.objectContaining({ code: "corrupt_data" }));
  });
});

describe("the header's accessedAt", () => {
  it("is written as seconds after createdAt where that is shorter than the timestamp", () => {
    expect(encoded(jsonSerializer, {}, NOW, NOW + 3600)).toBe(`ts1 ${NOW} +3600\n{}\n`);
    expect(encoded(jsonSerializer, {}, NOW, NOW - 1)).toBe(`ts1 ${NOW} ${NOW - 1}\n{}\n`); // a clock that stepped back
    expect(encoded(jsonSerializer, {}, 10, 20)).toBe("ts1 10 20\n{}\n"); // "+10" is no shorter than "20"
    expect(encoded(jsonSerializer, {}, 10, 110)).toBe("ts1 10 110\n{}\n"); // "+100" is longer
    expect(encoded(jsonSerializer, {}, 100, 1000)).toBe("ts1 100 1000\n{}\n"); // "+900": as long, so absolute
    expect(encoded(jsonSerializer, {}, 1000, 1005)).toBe("ts1 1000 +5\n{}\n");
  });

  it("round-trips either form", () => {
    const seconds = fc.integer({ min: 0, max: 2 ** 40 });
    fc.assert(
      fc.property(seconds, seconds, (createdAt, accessedAt) => {
        expect(decodePayload("s", jsonSerializer, encodePayload("s", jsonSerializer, { values: {}, createdAt, accessedAt }))).toEqual({
          values: {},
          createdAt,
          accessedAt,
        });
      }),
      { numRuns: 300 },
    );
  });
});
