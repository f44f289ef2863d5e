import { SessionError } from "../errors.ts";
import type { KeyInput, KeyPair } from "./keys.ts";

/** A validated key pair, as bytes. */
export interface ResolvedKeyPair {
  readonly hashKey: Buffer;
  readonly blockKey: Buffer | undefined;
  /** `aes-128-ctr`, `aes-192-ctr` or `aes-256-ctr` when a block key is set. */
  readonly cipher: string | undefined;
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
