import { randomBytes } from "node:crypto";
import { SessionError } from "../errors.ts";

/** A key as given by the user: raw bytes, or a string taken as its UTF-8 bytes. */
export type KeyInput = Uint8Array | string;

/** One hash key (HMAC-SHA256) and an optional block key (AES-CTR) that sign and encrypt together. */
export interface KeyPair {
  /** Signs cookies with HMAC-SHA256. Any non-empty length; 32 or 64 random bytes recommended. */
  hashKey: KeyInput;
  /** Encrypts cookies with AES-CTR when set: 16, 24 or 32 bytes select AES-128, -192 or -256. */
  blockKey?: KeyInput | null | undefined;
}

/** A validated key pair, as bytes. */
export interface ResolvedKeyPair {
  readonly hashKey: Buffer;
  readonly blockKey: Buffer | undefined;
  /** `aes-128-ctr`, `aes-192-ctr` or `aes-256-ctr` when a block key is set. */
  readonly cipher: string | undefined;
}

/**
 * Generates `bytes` cryptographically random bytes: use it to make hash keys (32 or 64 bytes) and block keys
 * (16, 24 or 32 bytes). Store them outside the code, e.g. hex in an environment variable.
 * @example const hashKey = generateRandomKey(64);
 */
export function generateRandomKey(bytes: number): Buffer {
  if (!Number.isInteger(bytes) || bytes <= 0) {
    throw new SessionError("invalid_option", `generateRandomKey needs a positive whole number of bytes, got ${bytes}.`);
  }
  return randomBytes(bytes);
}

function toBytes(key: KeyInput): Buffer {
  return typeof key === "string" ? Buffer.from(key, "utf8") : Buffer.from(key.buffer, key.byteOffset, key.byteLength);
}

/** Checks and converts a key pair; throws a usage error for a missing hash key or a bad block key length. */
export function resolveKeyPair(pair: KeyPair, index = 0): ResolvedKeyPair {
  const where = index === 0 ? "" : ` (key pair ${index})`;
  if (pair.hashKey === undefined || pair.hashKey === null || toBytes(pair.hashKey).length === 0) {
    throw new SessionError(
      "missing_hash_key",
      `a hash key is required${where}. Generate one with generateRandomKey(64) or \`typed-sessions keygen\` and pass it as hashKey.`,
    );
  }
  const hashKey = Buffer.from(toBytes(pair.hashKey));
  if (pair.blockKey === undefined || pair.blockKey === null) {
    return { hashKey, blockKey: undefined, cipher: undefined };
  }
  const blockKey = Buffer.from(toBytes(pair.blockKey));
  if (blockKey.length !== 16 && blockKey.length !== 24 && blockKey.length !== 32) {
    throw new SessionError(
      "invalid_block_key",
      `the block key${where} is ${blockKey.length} bytes; it must be 16, 24 or 32 bytes (AES-128, -192 or -256). Generate one with generateRandomKey(32).`,
    );
  }
  return { hashKey, blockKey, cipher: `aes-${blockKey.length * 8}-ctr` };
}
