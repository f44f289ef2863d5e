import { SessionError } from "../errors.ts";
import { type CodecOptions, type DecodeResult, resolveCodecOptions } from "./codec-options.ts";
import type { KeyInput, KeyPair } from "./keys.ts";
import { NODE_CODEC_HINT, hasNodeCrypto } from "./node-crypto.ts";
import { encodeWith, openAuthentic, openEnvelope, verifyMac } from "./node-secure-cookie.ts";
import { checkRotation, resolveKeyPair } from "./resolve-keys.ts";
import { invalidMac } from "./secure-cookie-checks.ts";

export { DEFAULT_MAX_AGE, DEFAULT_MAX_LENGTH } from "./codec-options.ts";
export type { CodecOptions, CodecSettings, DecodeResult } from "./codec-options.ts";

/**
 * Signs, optionally encrypts, and checks values in gorilla/securecookie's format, synchronously (node:crypto).
 * `WebCryptoCodec` is the same with promises.
 */
export interface Codec {
  /** Encodes `value` for the cookie (or file) called `name`, with the newest key pair. */
  encode(name: string, value: unknown): string;
  /** Decodes a value encoded under `name`; throws a decode `SessionError` for anything untrusted. */
  decode(name: string, cookie: string): unknown;
  /** Like {@link Codec.decode}, and tells which key pair verified the value. */
  decodeWithKeyIndex(name: string, cookie: string): DecodeResult;
}

/**
 * Creates a codec compatible with gorilla/securecookie: HMAC-SHA256 over `name|timestamp|value`, optional
 * AES-CTR with a random IV, URL-safe base64 with padding. With `keys`, the first pair encodes and every pair
 * is tried on decode (key rotation); rotate the hash key with the block key: pairs sharing a hash key but not a
 * block key are refused. Hash keys must be at least 32 bytes. Runs on node:crypto (Node ≥ 20.16, Bun, Deno),
 * synchronously; where the runtime has none it throws `unsupported_runtime`: use `createWebCryptoCodec`
 * there (same bytes, with promises).
 * @example
 * const codec = createCodec({ ...keysFromEnv(process.env), serializer: "json" });
 * const cookie = codec.encode("session", { name: "kataras" });
 * codec.decode("session", cookie); // { name: "kataras" }
 */
export function createCodec(options: CodecOptions): Codec {
  if (!hasNodeCrypto) throw new SessionError("unsupported_runtime", NODE_CODEC_HINT);
  const { pairs, serializer, limits } = resolveCodecOptions(options);
  const newest = pairs[0]!;

  function decodeWithKeyIndex(name: string, cookie: string): DecodeResult {
    const envelope = openEnvelope(name, cookie, limits);
    for (let keyIndex = 0; keyIndex < pairs.length; keyIndex++) {
      const pair = pairs[keyIndex]!;
      // No two pairs share a hash key with different block keys (checkRotation), so the first pair whose MAC
      // verifies is the one that wrote the value: open it with that pair, and let its errors through.
      if (verifyMac(pair, envelope)) return { value: openAuthentic(pair, serializer, limits, name, envelope), keyIndex };
    }
    throw invalidMac(name);
  }

  return {
    encode: (name, value) => encodeWith(newest, serializer, limits, name, value),
    decode: (name, cookie) => decodeWithKeyIndex(name, cookie).value,
    decodeWithKeyIndex,
  };
}

/**
 * Creates one codec per key pair, as gorilla's `securecookie.CodecsFromPairs` does: arguments alternate
 * hash key, block key (null for none). Decode with {@link decodeMulti}; or pass the pairs as `keys` to
 * {@link createCodec} for a single codec that rotates. Pairs are checked together as `keys` are.
 */
export function codecsFromPairs(...keyPairs: (KeyInput | null | undefined)[]): Codec[] {
  const pairs: KeyPair[] = [];
  for (let i = 0; i < keyPairs.length; i += 2) {
    const hashKey = keyPairs[i];
    if (hashKey === undefined || hashKey === null) {
      throw new SessionError("missing_hash_key", `codecsFromPairs: argument ${i} must be a hash key.`);
    }
    pairs.push({ hashKey, blockKey: keyPairs[i + 1] ?? null });
  }
  checkRotation(pairs.map((pair, index) => resolveKeyPair(pair, index))); // decodeMulti would hit the same trap
  return pairs.map((pair) => createCodec(pair));
}

/** Encodes with the first codec, as gorilla's `securecookie.EncodeMulti`. */
export function encodeMulti(name: string, value: unknown, ...codecs: Codec[]): string {
  const first = codecs[0];
  if (first === undefined) throw new SessionError("invalid_option", "encodeMulti needs at least one codec.");
  return first.encode(name, value);
}

/** Decodes with each codec in turn and returns the first success, as gorilla's `securecookie.DecodeMulti`. */
export function decodeMulti(name: string, cookie: string, ...codecs: Codec[]): unknown {
  let firstError: unknown = new SessionError("invalid_option", "decodeMulti needs at least one codec.");
  for (const [index, codec] of codecs.entries()) {
    try {
      return codec.decode(name, cookie);
    } catch (err) {
      if (index === 0) firstError = err;
    }
  }
  throw firstError;
}
