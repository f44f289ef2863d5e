import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SESSION_ID_LENGTH, SESSION_ID_PATTERN, generateSessionId, isValidSessionId } from "../../src/stores/session-id.ts";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

describe("isValidSessionId", () => {
  it("accepts generated ids", () => {
    for (let i = 0; i < 100; i++) expect(isValidSessionId(generateSessionId())).toBe(true);
  });

  it("refuses non-strings, wrong lengths and every character outside the alphabet", () => {
    const id = generateSessionId();
    for (const value of [undefined, null, 42, {}, [id], new String(id), "", id.slice(1), `${id}A`]) {
      expect(isValidSessionId(value)).toBe(false);
    }
    for (let code = 0; code < 0x10000; code++) {
      const char = String.fromCharCode(code);
      const candidate = id.slice(0, 20) + char + id.slice(21);
      expect(isValidSessionId(candidate), `U+${code.toString(16)}`).toBe(ALPHABET.includes(char));
    }
    // A unit whose low byte is in the alphabet ("Ū" is U+016A, "j" U+006A) is still refused.
    expect(isValidSessionId(`${"A".repeat(SESSION_ID_LENGTH - 1)}\u016a`)).toBe(false);
  });

  it("agrees with SESSION_ID_PATTERN on any string", () => {
    const near = fc.array(fc.constantFrom(...ALPHABET, "=", "+", "/", ".", "\u0100", "\u{1F600}"), {
      minLength: SESSION_ID_LENGTH - 1,
      maxLength: SESSION_ID_LENGTH + 1,
    });
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: "binary" }), near.map((chars) => chars.join(""))), (value) => {
        expect(isValidSessionId(value)).toBe(SESSION_ID_PATTERN.test(value));
      }),
      { numRuns: 2000 },
    );
  });
});
