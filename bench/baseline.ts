import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * The baseline every codec benchmark is measured against: plain node:crypto with no session library —
 * JSON.stringify, AES-256-CTR with a random IV, HMAC-SHA256 over IV and ciphertext (encrypt-then-MAC),
 * and one unpadded base64url pass.
 */
export function createBaseline(hashKey: Buffer, blockKey: Buffer) {
  return {
    encode(value: unknown): string {
      const iv = randomBytes(16);
      const cipher = createCipheriv("aes-256-ctr", blockKey, iv);
      const body = Buffer.concat([iv, cipher.update(JSON.stringify(value), "utf8"), cipher.final()]);
      const mac = createHmac("sha256", hashKey).update(body).digest();
      return Buffer.concat([body, mac]).toString("base64url");
    },
    decode(text: string): unknown {
      const bytes = Buffer.from(text, "base64url");
      const body = bytes.subarray(0, bytes.length - 32);
      const mac = createHmac("sha256", hashKey).update(body).digest();
      if (!timingSafeEqual(mac, bytes.subarray(bytes.length - 32))) throw new Error("bad mac");
      const decipher = createDecipheriv("aes-256-ctr", blockKey, body.subarray(0, 16));
      return JSON.parse(Buffer.concat([decipher.update(body.subarray(16)), decipher.final()]).toString("utf8"));
    },
  };
}
