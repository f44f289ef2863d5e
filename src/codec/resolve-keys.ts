import { SessionError } from "../errors.ts";
import { sameBytes, text } from "../internal/text.ts";
import { type KeyInput, type KeyPair, MIN_HASH_KEY_BYTES } from "./keys.ts";

/** A validated key pair, as bytes (copies: a caller changing its key bytes later changes nothing here). */
export interface ResolvedKeyPair {
  readonly hashKey: Uint8Array<ArrayBuffer>;
  readonly blockKey: Uint8Array<ArrayBuffer> | undefined;
  /** `aes-128-ctr`, `aes-192-ctr` or `aes-256-ctr` when a block key is set. */
  readonly cipher: string | undefined;
}

function toBytes(key: KeyInput): Uint8Array {
  return typeof key === "string" ? text.utf8Bytes(key) : key;
}

/**
 * Checks and converts a key pair; throws a usage error for a missing or short (under 32 bytes) hash key, a bad
 * block key length, or a block key equal to the hash key.
 */
export function resolveKeyPair(pair: KeyPair, index = 0): ResolvedKeyPair {
  const where = index === 0 ? "" : ` (key pair ${index})`;
  if (pair.hashKey === undefined || pair.hashKey === null || toBytes(pair.hashKey).length === 0) {
    throw new SessionError(
      "missing_hash_key",
      `a hash key is required${where}. Generate one with generateRandomKey(64) or \`typed-sessions keygen\` and pass it as hashKey.`,
    );
  }
  const hashKey = new Uint8Array(toBytes(pair.hashKey));
  if (hashKey.length < MIN_HASH_KEY_BYTES) {
    throw new SessionError(
      "weak_hash_key",
      `the hash key${where} is ${hashKey.length} bytes; it must be at least ${MIN_HASH_KEY_BYTES} random bytes, or cookies can be forged by guessing it. Make one with \`npx typed-sessions keygen\` and read it with keysFromEnv(process.env) or keyFromHex(text).`,
    );
  }
  if (pair.blockKey === undefined || pair.blockKey === null) {
    return { hashKey, blockKey: undefined, cipher: undefined };
  }
  const blockKey = new Uint8Array(toBytes(pair.blockKey));
  if (blockKey.length !== 16 && blockKey.length !== 24 && blockKey.length !== 32) {
    throw new SessionError(
      "invalid_block_key",
      `the block key${where} is ${blockKey.length} bytes; it must be 16, 24 or 32 bytes (AES-128, -192 or -256). Generate one with generateRandomKey(32).`,
    );
  }
  if (sameBytes(blockKey, hashKey)) {
    throw new SessionError(
      "invalid_block_key",
      `the block key${where} is the hash key; use two different random keys (\`npx typed-sessions keygen --block\` makes both).`,
    );
  }
  return { hashKey, blockKey, cipher: `aes-${blockKey.length * 8}-ctr` };
}

/**
 * Checks a rotation list as a whole: two pairs with one hash key but different block keys (or one with and one
 * without) are refused, since a cookie's MAC then verifies under both and nothing sound tells which block key
 * wrote it (raw bytes "decrypted" with the wrong key are still bytes).
 */
export function checkRotation(pairs: readonly ResolvedKeyPair[]): void {
  for (let later = 1; later < pairs.length; later++) {
    const b = pairs[later] as ResolvedKeyPair;
    for (let earlier = 0; earlier < later; earlier++) {
      const a = pairs[earlier] as ResolvedKeyPair;
      if (!sameBytes(a.hashKey, b.hashKey)) continue;
      const sameBlock = a.blockKey === undefined ? b.blockKey === undefined : b.blockKey !== undefined && sameBytes(a.blockKey, b.blockKey);
      if (sameBlock) continue;
      throw new SessionError(
        "invalid_option",
        `key pairs ${earlier} and ${later} share a hash key but not a block key; a cookie signed by one verifies under both, so the wrong block key would be used. Rotate the hash key together with the block key: give the new pair a new hash key too.`,
      );
    }
  }
}
