import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as node from "../../src/codec/node-base64.ts";
import * as portable from "../../src/codec/portable-base64.ts";

const chars = fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/ \n.é".split(""));
const implementations = [
  ["node-base64 (Buffer)", node],
  ["portable-base64", portable],
] as const;

describe.each(implementations)("padded URL-safe base64: %s", (_label, base64) => {
  it("round trips any bytes, with Go's padding", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const text = base64.encodeBase64(bytes);
        expect(text.length % 4).toBe(0);
        expect(text).toBe(Buffer.from(bytes).toString("base64").replace(/\+/g, "-").replace(/\//g, "_"));
        expect(Buffer.from(base64.decodeBase64(text)!)).toEqual(Buffer.from(bytes));
      }),
    );
  });

  it("accepts a string only in its canonical form", () => {
    fc.assert(
      fc.property(fc.string({ unit: chars, maxLength: 24 }), (text) => {
        const bytes = base64.decodeBase64(text);
        if (bytes !== undefined) expect(base64.encodeBase64(bytes)).toBe(text);
      }),
      { numRuns: 3000 },
    );
  });

  it.each(["QR==", "QUJ=", "Q+I=", "Q/I=", "Q I=", "Q=I=", "QUJD====", "QQ=A", "QQ", "Q\nJD", "QUJDéA=="])(
    "refuses %j",
    (text) => {
      expect(base64.decodeBase64(text)).toBeUndefined();
    },
  );

  // Node decodes a JS string by each unit's low byte, so U+0155 reads as "U" (0x55): refused before decoding.
  it.each(["QU\u014aD", "\u0151UJD", "QUJ\u0144", "QQ\u013d=", "QU\uff4aD", "QU\ud84aD"])("refuses the low-byte alias %j in every decoder", (text) => {
    const lowBytes = String.fromCharCode(...[...text].map((c) => c.charCodeAt(0) & 0xff)); // "QUJD", "QQ==": canonical
    expect(base64.decodeBase64(lowBytes)).toBeDefined();
    expect(Buffer.from(text, "base64url")).toEqual(Buffer.from(base64.decodeBase64(lowBytes)!)); // Node alone reads the alias alike
    expect(base64.decodeBase64(text)).toBeUndefined();
    expect(base64.decodeAuthenticatedBase64(text)).toBeUndefined();
    expect(base64.decodeBase64Into(text, Buffer.alloc(8), 0)).toBeUndefined();
  });
});

describe("the two base64 implementations", () => {
  const text = fc.oneof(
    fc.string({ unit: chars, maxLength: 40 }),
    fc.uint8Array({ maxLength: 60 }).map((bytes) => node.encodeBase64(bytes)),
    // canonical text with its last data character moved, so trailing bits may be set
    fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 30 }), fc.nat(63)).map(([bytes, bits]) => {
      const encoded = node.encodeBase64(bytes);
      const last = encoded.replace(/=+$/, "").length - 1;
      return encoded.slice(0, last) + "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[bits] + encoded.slice(last + 1);
    }),
  );
  const same = (a: Uint8Array | undefined, b: Uint8Array | undefined) =>
    expect(a === undefined ? undefined : Buffer.from(a)).toEqual(b === undefined ? undefined : Buffer.from(b));

  it("accept and refuse the same texts, with the same bytes, in every decoder", () => {
    fc.assert(
      fc.property(text, fc.nat(8), (input, offset) => {
        same(portable.decodeBase64(input), node.decodeBase64(input));
        same(portable.decodeAuthenticatedBase64(input), node.decodeAuthenticatedBase64(input));
        const a = new Uint8Array(offset + portable.decodedLengthAtMost(input));
        const b = Buffer.alloc(offset + node.decodedLengthAtMost(input));
        const written = portable.decodeBase64Into(input, a, offset);
        expect(written).toBe(node.decodeBase64Into(input, b, offset));
        if (written !== undefined) expect(Buffer.from(a.subarray(offset, offset + written))).toEqual(b.subarray(offset, offset + written));
      }),
      { numRuns: 5000 },
    );
  });

  it("reads unpadded base64 in either alphabet, canonically, as Node's decoder does", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 60 }), (bytes) => {
        const url = Buffer.from(bytes).toString("base64url");
        const standard = Buffer.from(bytes).toString("base64").replace(/=+$/, "");
        expect(Buffer.from(portable.decodeUnpaddedBase64(url, "url")!)).toEqual(Buffer.from(bytes));
        expect(Buffer.from(portable.decodeUnpaddedBase64(standard, "standard")!)).toEqual(Buffer.from(bytes));
      }),
    );
    expect(portable.decodeUnpaddedBase64("QR", "url")).toBeUndefined(); // trailing bits set
    expect(portable.decodeUnpaddedBase64("Q", "url")).toBeUndefined(); // one character over
    expect(portable.decodeUnpaddedBase64("a+b/", "url")).toBeUndefined(); // the other alphabet
    expect(portable.decodeUnpaddedBase64("a-b_", "standard")).toBeUndefined();
  });
});
