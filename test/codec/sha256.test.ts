import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { portableSha256Base64Url, sha256, sha256Base64Url } from "../../src/codec/sha256.ts";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

describe("the portable SHA-256", () => {
  it.each([
    ["", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],
    ["abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"],
    ["abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"],
  ])("gives FIPS 180-2's digest of %j", (message, digest) => {
    expect(hex(sha256(Buffer.from(message, "latin1")))).toBe(digest);
  });

  it("gives node:crypto's digest for every length across the padding and block boundaries", () => {
    for (let length = 0; length <= 260; length++) {
      const message = new Uint8Array(length).map((_, i) => (i * 31 + length) & 0xff);
      expect(hex(sha256(message))).toBe(createHash("sha256").update(message).digest("hex"));
    }
  });

  it("gives node:crypto's digest of any bytes, and of any text as base64url", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (message) => {
        expect(hex(sha256(message))).toBe(createHash("sha256").update(message).digest("hex"));
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 200 }), (input) => {
        const expected = createHash("sha256").update(input, "utf8").digest("base64url");
        expect(portableSha256Base64Url(input)).toBe(expected);
        expect(sha256Base64Url(input)).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });
});
