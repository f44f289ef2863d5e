import { describe, expect, it } from "vitest";
import { isFrozen } from "../../src/internal/frozen.ts";

describe("isFrozen", () => {
  it("answers as Object.isFrozen, for objects it has seen and not", () => {
    const frozen = Object.freeze({ path: "/", maxAge: 1 });
    const open: { path: string; maxAge?: number } = { path: "/" };
    const sealed = Object.seal({ a: 1 });
    for (let round = 0; round < 3; round++) {
      expect(isFrozen(frozen)).toBe(true);
      expect(isFrozen(open)).toBe(false);
      expect(isFrozen(sealed)).toBe(false);
      expect(isFrozen(Object.freeze({}))).toBe(true);
    }
  });

  it("never keeps a non-frozen answer: an object frozen later reads as frozen", () => {
    const later: { path: string } = { path: "/" };
    expect(isFrozen(later)).toBe(false);
    Object.freeze(later);
    expect(isFrozen(later)).toBe(true);
  });

  it("still answers rightly when more frozen objects pass than it keeps", () => {
    const many = Array.from({ length: 20 }, (_, i) => Object.freeze({ i }));
    const open = Array.from({ length: 20 }, (_, i) => ({ i }));
    for (let round = 0; round < 2; round++) {
      for (const [i, value] of many.entries()) {
        expect(isFrozen(value)).toBe(true);
        expect(isFrozen(open[i] as object)).toBe(false);
      }
    }
  });
});
