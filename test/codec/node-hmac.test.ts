import { createHmac } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BLOCK, HmacSha256, hmacFor } from "../../src/codec/node-hmac.ts";

function prefixed(hmac: HmacSha256, message: Uint8Array): Buffer {
  return Buffer.concat([hmac.innerPad, message]);
}

describe("HmacSha256", () => {
  it("gives createHmac's bytes for keys shorter than, equal to and longer than a block, and any message", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 3 * BLOCK }),
        fc.uint8Array({ maxLength: 600 }),
        (key, message) => {
          const hmac = new HmacSha256(Buffer.from(key));
          const expected = createHmac("sha256", key).update(message).digest();
          expect(hmac.macOfPrefixed(prefixed(hmac, message)).equals(expected)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("matches RFC 4231 test case 6 (a 131-byte key, hashed first)", () => {
    const hmac = new HmacSha256(Buffer.alloc(131, 0xaa));
    const message = Buffer.from("Test Using Larger Than Block-Size Key - Hash Key First");
    expect(hmac.macOfPrefixed(prefixed(hmac, message)).toString("hex")).toBe(
      "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
    );
  });

  it("prepares one instance per key buffer", () => {
    const key = Buffer.alloc(32, 1);
    expect(hmacFor(key)).toBe(hmacFor(key));
    expect(hmacFor(Buffer.alloc(32, 1))).not.toBe(hmacFor(key));
  });
});
