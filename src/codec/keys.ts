import { SessionError } from "../errors.ts";
import { decodeUnpaddedBase64 } from "./portable-base64.ts";
import { fillRandom } from "./random-pool.ts";

/** A key as given by the user: raw bytes, or a string taken as its UTF-8 bytes. */
export type KeyInput = Uint8Array | string;

/** One hash key (HMAC-SHA256) and an optional block key (AES-CTR) that sign and encrypt together. */
export interface KeyPair {
  /** Signs cookies with HMAC-SHA256: at least 32 bytes (64 random bytes recommended). */
  hashKey: KeyInput;
  /** Encrypts cookies with AES-CTR when set: 16, 24 or 32 bytes select AES-128, -192 or -256; never the hash key. */
  blockKey?: KeyInput | null | undefined;
}

/**
 * Generates `bytes` cryptographically random bytes: use it to make hash keys (32 or 64 bytes) and block keys
 * (16, 24 or 32 bytes). Store them outside the code, e.g. hex in an environment variable.
 * @example const hashKey = generateRandomKey(64);
 */
export function generateRandomKey(bytes: number): Uint8Array {
  if (!Number.isInteger(bytes) || bytes <= 0) {
    throw new SessionError("invalid_option", `generateRandomKey needs a positive whole number of bytes, got ${bytes}.`);
  }
  const key = new Uint8Array(bytes);
  fillRandom(key);
  return key;
}

/** The fewest bytes a hash key may have: 32 (256 bits), what HMAC-SHA256 needs to resist offline guessing. */
export const MIN_HASH_KEY_BYTES = 32;

/** Options of {@link keyFromHex} and {@link keyFromBase64}. */
export interface KeyTextOptions {
  /**
   * The fewest bytes accepted. Keep the default for hash keys; pass 16 for a block key (whose exact length,
   * 16, 24 or 32 bytes, the store checks).
   * @default 32
   */
  minBytes?: number | undefined;
}

const HEX_TEXT = /^(?:[0-9a-fA-F]{2})+$/;
const BASE64_TEXT = /^[A-Za-z0-9+/_-]*={0,2}$/;
const KEYGEN_HINT = "Make one with `npx typed-sessions keygen`";

function minBytesOf(options: KeyTextOptions): number {
  const minBytes = options.minBytes ?? MIN_HASH_KEY_BYTES;
  if (!Number.isInteger(minBytes) || minBytes < 1) {
    throw new SessionError("invalid_option", `minBytes must be a positive whole number, got ${minBytes}.`);
  }
  return minBytes;
}

/** Hash-key problems (the default minimum) get the hash-key codes; anything read with a lower minimum, `invalid_option`. */
function keyText(text: string | undefined, name: string, minBytes: number): string {
  if (text === undefined || text === "") {
    const code = minBytes >= MIN_HASH_KEY_BYTES ? "missing_hash_key" : "invalid_option";
    throw new SessionError(code, `${name} is not set or empty. ${KEYGEN_HINT} and set it.`);
  }
  return text;
}

function checkLength(bytes: Uint8Array, name: string, minBytes: number): Uint8Array {
  if (bytes.length < minBytes) {
    const code = minBytes >= MIN_HASH_KEY_BYTES ? "weak_hash_key" : "invalid_option";
    throw new SessionError(code, `${name} is ${bytes.length} bytes; it must be at least ${minBytes} random bytes. ${KEYGEN_HINT}.`);
  }
  return bytes;
}

/**
 * Reads a key written in hex (what `typed-sessions keygen` prints), strictly: unlike Node's `Buffer.from(text, "hex")`,
 * which silently stops at the first character that is not hex, it refuses whitespace, any non-hex character,
 * an odd length and a key under `minBytes` (32 by default) with a usage error naming `name`.
 * @example const hashKey = keyFromHex(process.env.SESSION_HASH_KEY, "SESSION_HASH_KEY");
 */
export function keyFromHex(text: string | undefined, name = "the key", options: KeyTextOptions = {}): Uint8Array {
  const minBytes = minBytesOf(options);
  const value = keyText(text, name, minBytes);
  if (!HEX_TEXT.test(value)) {
    throw new SessionError(
      "invalid_option",
      `${name} is not hex: it must be an even number of the characters 0-9, a-f, with no spaces or newlines. ${KEYGEN_HINT}.`,
    );
  }
  const bytes = new Uint8Array(value.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(value.slice(2 * i, 2 * i + 2), 16);
  return checkLength(bytes, name, minBytes);
}

/** Decodes strict base64 (one alphabet, right padding or none, canonical trailing bits); `undefined` otherwise. */
function strictBase64(value: string): Uint8Array | undefined {
  if (!BASE64_TEXT.test(value)) return undefined;
  const urlSafe = /[-_]/.test(value);
  if (urlSafe && /[+/]/.test(value)) return undefined;
  const unpadded = value.replace(/=+$/, "");
  const rest = unpadded.length % 4;
  if (rest === 1) return undefined;
  const pads = value.length - unpadded.length;
  if (pads > 0 && pads !== 4 - rest) return undefined;
  return decodeUnpaddedBase64(unpadded, urlSafe ? "url" : "standard");
}

/**
 * Reads a key written in base64, strictly: the standard (`+/`) or the URL-safe (`-_`) alphabet, not both,
 * the right `=` padding or none, no whitespace, canonical trailing bits; and at least `minBytes` bytes
 * (32 by default). Anything else is a usage error naming `name`.
 * @example const hashKey = keyFromBase64(process.env.SESSION_HASH_KEY, "SESSION_HASH_KEY");
 */
export function keyFromBase64(text: string | undefined, name = "the key", options: KeyTextOptions = {}): Uint8Array {
  const minBytes = minBytesOf(options);
  const bytes = strictBase64(keyText(text, name, minBytes));
  if (bytes === undefined) {
    throw new SessionError(
      "invalid_option",
      `${name} is not base64: use one alphabet (A-Z a-z 0-9 + / or A-Z a-z 0-9 - _), the right "=" padding or none, and no spaces or newlines. ${KEYGEN_HINT} (it prints hex: read that with keyFromHex).`,
    );
  }
  return checkLength(bytes, name, minBytes);
}

/** The keys {@link keysFromEnv} reads, ready to spread into a store's or a codec's options. */
export interface EnvKeys {
  /** `<PREFIX>_HASH_KEY`: at least 32 bytes. */
  hashKey: Uint8Array;
  /** `<PREFIX>_BLOCK_KEY` when set: 16, 24 or 32 bytes; `undefined` (no encryption) when unset or empty. */
  blockKey: Uint8Array | undefined;
}

/**
 * Reads `<prefix>_HASH_KEY` (required, hex, at least 32 bytes) and `<prefix>_BLOCK_KEY` (optional, hex, 16, 24
 * or 32 bytes) from `env` — the lines `typed-sessions keygen [--block] [--prefix NAME]` prints — strictly
 * (see {@link keyFromHex}), and returns `{ hashKey, blockKey }` to spread into a store's options.
 * @example const store = new CookieStore({ ...keysFromEnv(process.env), cookie: { secure: true } });
 */
export function keysFromEnv(env: Readonly<Record<string, string | undefined>>, prefix = "SESSION"): EnvKeys {
  const hashName = `${prefix}_HASH_KEY`;
  const blockName = `${prefix}_BLOCK_KEY`;
  const hashKey = keyFromHex(env[hashName], hashName);
  const block = env[blockName];
  if (block === undefined || block === "") return { hashKey, blockKey: undefined };
  const blockKey = keyFromHex(block, blockName, { minBytes: 1 });
  if (blockKey.length !== 16 && blockKey.length !== 24 && blockKey.length !== 32) {
    throw new SessionError(
      "invalid_block_key",
      `${blockName} is ${blockKey.length} bytes; it must be 16, 24 or 32 bytes (AES-128, -192 or -256). ${KEYGEN_HINT} --block.`,
    );
  }
  return { hashKey, blockKey };
}
