import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isIntegerText } from "../../src/codec/secure-cookie-checks.ts";

describe("isIntegerText", () => {
  it("agrees with /^[+-]?[0-9]+$/ on any string", () => {
    const near = fc.array(fc.constantFrom("0", "1", "9", "+", "-", " ", "\n", "a", "٣", "\u0000", "."), { maxLength: 20 });
    fc.assert(
      fc.property(fc.oneof(fc.string(), near.map((chars) => chars.join(""))), (text) => {
        expect(isIntegerText(text)).toBe(/^[+-]?[0-9]+$/.test(text));
      }),
      { numRuns: 3000 },
    );
    for (const text of ["", "+", "-", "+-1", "1\n", "\n1", "１", "1e3", "0x1"]) expect(isIntegerText(text), JSON.stringify(text)).toBe(false);
    for (const text of ["0", "-1", "+1", "1700000000", "99999999999999999999"]) expect(isIntegerText(text)).toBe(true);
  });
});
