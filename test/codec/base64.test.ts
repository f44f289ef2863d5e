import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeBase64, encodeBase64 } from "../../src/codec/base64.ts";

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
});
