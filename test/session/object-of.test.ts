import { describe, expect, it } from "vitest";
import { mapOf, objectOf } from "../../src/session/session-values.ts";

describe("objectOf", () => {
  it("copies a Map's entries into a plain object, in order, as Object.fromEntries does", () => {
    const map = new Map<string, unknown>([["b", 1], ["a", [2]], ["1", null]]);
    const object = objectOf(map);
    expect(object).toEqual(Object.fromEntries(map));
    expect(Object.keys(object)).toEqual(Object.keys(Object.fromEntries(map)));
    expect(Object.getPrototypeOf(object)).toBe(Object.prototype);
  });

  it("keeps a __proto__ key an own property instead of setting the prototype", () => {
    const object = objectOf(new Map<string, unknown>([["__proto__", { polluted: true }], ["x", 1]]));
    expect(Object.getPrototypeOf(object)).toBe(Object.prototype);
    expect(Object.hasOwn(object, "__proto__")).toBe(true);
    expect((object as { polluted?: unknown }).polluted).toBeUndefined();
    expect(JSON.stringify(object)).toBe('{"__proto__":{"polluted":true},"x":1}');
  });
});

describe("mapOf", () => {
  it("makes the Map new Map(Object.entries(object)) makes: own enumerable string keys, in order", () => {
    const inherited = Object.create({ fromProto: 1 }) as Record<string, unknown>;
    inherited["own"] = 2;
    const hidden: Record<string, unknown> = { shown: 1 };
    Object.defineProperty(hidden, "hidden", { value: 2, enumerable: false });
    (hidden as Record<symbol, unknown>)[Symbol("s")] = 3;
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1 });
    const objects: Record<string, unknown>[] = [
      {},
      { b: 1, a: [2], 10: "ten", 2: "two", z: null },
      JSON.parse('{"__proto__": {"polluted": true}, "x": 1}') as Record<string, unknown>,
      inherited,
      hidden,
      bare,
    ];
    for (const object of objects) {
      expect([...mapOf(object)]).toEqual([...new Map(Object.entries(object))]);
    }
  });
});
