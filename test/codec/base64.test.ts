import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeAuthenticatedBase64, decodeBase64, decodeBase64Into, encodeBase64 } from "../../src/codec/base64.ts";

const chars = fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/ \n.é".split(""));

describe("padded URL-safe base64", () => {
  it("round trips any bytes, with Go's padding", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const text = encodeBase64(bytes);
        expect(text.length % 4).toBe(0);
        expect(text).toBe(Buffer.from(bytes).toString("base64").replace(/\+/g, "-").replace(/\//g, "_"));
        expect(decodeBase64(text)).toEqual(Buffer.from(bytes));
      }),
    );
  });

  it("accepts a string only in its canonical form", () => {
    fc.assert(
      fc.property(fc.string({ unit: chars, maxLength: 24 }), (text) => {
        const bytes = decodeBase64(text);
        if (bytes !== undefined) expect(encodeBase64(bytes)).toBe(text);
      }),
      { numRuns: 3000 },
    );
  });

  it.each(["QR==", "QUJ=", "Q+I=", "Q/I=", "Q I=", "Q=I=", "QUJD====", "QQ=A", "QQ", "Q\nJD", "QUJDéA=="])(
    "refuses %j",
    (text) => {
      expect(decodeBase64(text)).toBeUndefined();
    },
  );

  // Node decodes a JS string by each unit's low byte, so U+0155 reads as "U" (0x55): refused before decoding.
  it.each(["QU\u014aD", "\u0151UJD", "QUJ\u0144", "QQ\u013d=", "QU\uff4aD", "QU\ud84aD"])("refuses the low-byte alias %j in every decoder", (text) => {
    const lowBytes = String.fromCharCode(...[...text].map((c) => c.charCodeAt(0) & 0xff)); // "QUJD", "QQ==": canonical
    expect(decodeBase64(lowBytes)).toBeDefined();
    expect(Buffer.from(text, "base64url")).toEqual(decodeBase64(lowBytes)); // Node alone reads the alias alike
    expect(decodeBase64(text)).toBeUndefined();
    expect(decodeAuthenticatedBase64(text)).toBeUndefined();
    expect(decodeBase64Into(text, Buffer.alloc(8), 0)).toBeUndefined();
  });
});
