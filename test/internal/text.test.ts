import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { portableText, sameBytes, text } from "../../src/internal/text.ts";

/** Any UTF-16 unit, lone surrogates included. */
const unit = fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code));
const anyString = fc.oneof(fc.string({ unit, maxLength: 200 }), fc.string({ unit: "grapheme", maxLength: 60 }));
const anyBytes = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  // UTF-8 made from text, then damaged: truncated sequences, stray continuation bytes, a leading BOM
  fc.tuple(fc.string({ unit: "grapheme", maxLength: 40 }), fc.nat(), fc.nat(255)).map(([s, at, byte]) => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(s, "utf8")]);
    if (bytes.length > 0) bytes[at % bytes.length] = byte;
    return new Uint8Array(bytes);
  }),
);

describe("the portable text conversions give what Node's Buffer gives", () => {
  it("runs on Node's Buffer here, so the comparisons below compare two implementations", () => {
    expect(text).not.toBe(portableText);
  });

  it("encodes UTF-8 alike, lone surrogates included", () => {
    fc.assert(
      fc.property(anyString, (s) => {
        expect(Buffer.from(portableText.utf8Bytes(s))).toEqual(Buffer.from(s, "utf8"));
        expect(portableText.utf8Length(s)).toBe(Buffer.byteLength(s, "utf8"));
        expect(text.utf8Length(s)).toBe(Buffer.byteLength(s, "utf8"));
      }),
      { numRuns: 2000 },
    );
  });

  it("decodes any bytes as UTF-8 alike, malformed sequences and a leading BOM included", () => {
    fc.assert(
      fc.property(anyBytes, (bytes) => {
        expect(portableText.utf8Text(bytes)).toBe(Buffer.from(bytes).toString("utf8"));
        expect(text.utf8Text(bytes)).toBe(Buffer.from(bytes).toString("utf8"));
      }),
      { numRuns: 2000 },
    );
  });

  it("reads and writes latin1 alike, on any range", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 20_000 }), fc.nat(), fc.nat(), (bytes, a, b) => {
        const start = bytes.length === 0 ? 0 : a % bytes.length;
        const end = start + (bytes.length === 0 ? 0 : b % (bytes.length - start + 1));
        const expected = Buffer.from(bytes).toString("latin1", start, end);
        expect(portableText.latin1Text(bytes, start, end)).toBe(expected);
        expect(text.latin1Text(bytes, start, end)).toBe(expected);
        expect(portableText.latin1Text(bytes)).toBe(Buffer.from(bytes).toString("latin1"));
      }),
      { numRuns: 200 },
    );
    fc.assert(
      fc.property(anyString, (s) => {
        expect(Buffer.from(portableText.latin1Bytes(s))).toEqual(Buffer.from(s, "latin1"));
      }),
    );
  });

  it("writes unpadded base64url alike", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        expect(portableText.base64Url(bytes)).toBe(Buffer.from(bytes).toString("base64url"));
        expect(text.base64Url(bytes)).toBe(Buffer.from(bytes).toString("base64url"));
      }),
    );
  });

  it("tells equal bytes apart from unequal ones", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 40 }), (a, b) => {
        expect(sameBytes(a, b)).toBe(Buffer.from(a).equals(Buffer.from(b)));
        expect(sameBytes(a, new Uint8Array(a))).toBe(true);
      }),
    );
  });
});
