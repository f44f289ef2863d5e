import { SessionError } from "../errors.ts";
import type { KeyInput, KeyPair } from "./keys.ts";
import { type ResolvedKeyPair, checkRotation, resolveKeyPair } from "./resolve-keys.ts";
import { type Limits, encodeWith, openAuthentic, openEnvelope, throwInvalidMac, verifyMac } from "./secure-cookie.ts";
import { type Serializer, type SerializerName, resolveSerializer } from "../serializers/serializers.ts";

import { THIRTY_DAYS, systemNow } from "../internal/time.ts";

/** Thirty days, in seconds: the default `maxAge`. */
export const DEFAULT_MAX_AGE = THIRTY_DAYS;
/** The default `maxLength`, in characters: what browsers keep for one cookie. */
export const DEFAULT_MAX_LENGTH = 4096;

/** The settings of {@link createCodec} besides its keys: the serializer and the limits. */
export interface CodecSettings {
  /**
   * How values become bytes: `"superjson"` keeps Dates, Maps, Sets and BigInts; `"json"` is what Go's
   * gorilla/securecookie `JSONEncoder` reads and writes; `"raw"` takes and returns bytes.
   * @default "superjson"
   */
  serializer?: SerializerName | Serializer | undefined;
  /** Oldest accepted value, in seconds since it was encoded; 0 = no limit. @default 2592000 (30 days) */
  maxAge?: number | undefined;
  /** Youngest accepted value, in seconds; 0 = no limit. @default 0 */
  minAge?: number | undefined;
  /** Longest encoded value, in characters, on encode and decode; 0 = no limit. @default 4096 */
  maxLength?: number | undefined;
  /** The clock, in Unix seconds (for tests). @default () => Date.now() / 1000 */
  now?: (() => number) | undefined;
}

/** Options of {@link createCodec}: one key pair, or a rotation list of them, and the limits. */
export type CodecOptions = CodecSettings &
  (
    | { hashKey: KeyInput; blockKey?: KeyInput | null | undefined; keys?: undefined }
    | { keys: readonly KeyPair[]; hashKey?: undefined; blockKey?: undefined }
  );

/** The result of {@link Codec.decodeWithKeyIndex}. */
export interface DecodeResult {
  /** The decoded value, as the codec's serializer returns it. */
  readonly value: unknown;
  /** Which key pair verified the value: 0 is the newest; more means it should be re-issued. */
  readonly keyIndex: number;
}

/** Signs, optionally encrypts, and checks values in gorilla/securecookie's format. */
export interface Codec {
  /** Encodes `value` for the cookie (or file) called `name`, with the newest key pair. */
  encode(name: string, value: unknown): string;
  /** Decodes a value encoded under `name`; throws a decode `SessionError` for anything untrusted. */
  decode(name: string, cookie: string): unknown;
  /** Like {@link Codec.decode}, and tells which key pair verified the value. */
  decodeWithKeyIndex(name: string, cookie: string): DecodeResult;
}

function checkLimit(option: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) {
    throw new SessionError("invalid_option", `${option} must be a number of at least 0 (0 = no limit), got ${value}.`);
  }
  return value;
}

/**
 * Creates a codec compatible with gorilla/securecookie: HMAC-SHA256 over `name|timestamp|value`, optional
 * AES-CTR with a random IV, URL-safe base64 with padding. With `keys`, the first pair encodes and every pair
 * is tried on decode (key rotation); rotate the hash key with the block key: pairs sharing a hash key but not a
 * block key are refused. Hash keys must be at least 32 bytes.
 * @example
 * const codec = createCodec({ ...keysFromEnv(process.env), serializer: "json" });
 * const cookie = codec.encode("session", { name: "kataras" });
 * codec.decode("session", cookie); // { name: "kataras" }
 */
export function createCodec(options: CodecOptions): Codec {
  const list: readonly KeyPair[] = options.keys ?? [{ hashKey: options.hashKey, blockKey: options.blockKey }];
  if (list.length === 0) {
    throw new SessionError("missing_hash_key", "keys is empty; give at least one { hashKey } pair (newest first).");
  }
  const pairs: readonly ResolvedKeyPair[] = list.map((pair, index) => resolveKeyPair(pair, index));
  checkRotation(pairs);
  const serializer = resolveSerializer(options.serializer);
  const limits: Limits = {
    maxAge: checkLimit("maxAge", options.maxAge, DEFAULT_MAX_AGE),
    minAge: checkLimit("minAge", options.minAge, 0),
    maxLength: checkLimit("maxLength", options.maxLength, DEFAULT_MAX_LENGTH),
    now: options.now ?? systemNow,
  };
  const newest = pairs[0] as ResolvedKeyPair;

  function decodeWithKeyIndex(name: string, cookie: string): DecodeResult {
    const envelope = openEnvelope(name, cookie, limits);
    for (let keyIndex = 0; keyIndex < pairs.length; keyIndex++) {
      const pair = pairs[keyIndex] as ResolvedKeyPair;
      // No two pairs share a hash key with different block keys (checkRotation), so the first pair whose MAC
      // verifies is the one that wrote the value: open it with that pair, and let its errors through.
      if (verifyMac(pair, envelope)) return { value: openAuthentic(pair, serializer, limits, name, envelope), keyIndex };
    }
    return throwInvalidMac(name);
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
