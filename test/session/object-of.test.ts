import { describe, expect, it } from "vitest";
import { objectOf } from "../../src/session/session-values.ts";

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
