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
  it("holds what new Map(Object.entries(…)) holds: own enumerable string keys, in order, __proto__ as a key", () => {
    const parsed = JSON.parse('{"b":1,"__proto__":{"polluted":true},"2":[3],"a":null}') as Record<string, unknown>;
    const inherited = Object.create({ fromPrototype: 1 }) as Record<string, unknown>;
    inherited["own"] = 2;
    Object.defineProperty(inherited, "hidden", { value: 3, enumerable: false });
    (inherited as Record<symbol, unknown>)[Symbol("s")] = 4;
    let reads = 0;
    const getter = { get counted() { reads++; return reads; } } as Record<string, unknown>;
    for (const values of [parsed, inherited, {}, getter]) {
      reads = 0;
      const expected = [...new Map(Object.entries(values))];
      reads = 0;
      expect([...mapOf(values)]).toEqual(expected);
    }
    expect(mapOf(parsed).get("__proto__")).toEqual({ polluted: true });
  });
});
