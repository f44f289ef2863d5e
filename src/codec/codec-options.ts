// The options both codecs take, and how they are checked: one list of key pairs, one serializer, the limits.
import { SessionError } from "../errors.ts";
import { THIRTY_DAYS, systemNow } from "../internal/time.ts";
import { type Serializer, type SerializerName, resolveSerializer } from "../serializers/serializers.ts";
import type { KeyInput, KeyPair } from "./keys.ts";
import { type ResolvedKeyPair, checkRotation, resolveKeyPair } from "./resolve-keys.ts";
import type { Limits } from "./secure-cookie-checks.ts";

/** Thirty days, in seconds: the default `maxAge`. */
export const DEFAULT_MAX_AGE = THIRTY_DAYS;
/** The default `maxLength`, in characters: what browsers keep for one cookie. */
export const DEFAULT_MAX_LENGTH = 4096;

/** The settings of `createCodec` and `createWebCryptoCodec` besides their keys: the serializer and the limits. */
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

/** Options of `createCodec` and `createWebCryptoCodec`: one key pair, or a rotation list of them, and the limits. */
export type CodecOptions = CodecSettings &
  (
    | { hashKey: KeyInput; blockKey?: KeyInput | null | undefined; keys?: undefined }
    | { keys: readonly KeyPair[]; hashKey?: undefined; blockKey?: undefined }
  );

/** The result of `decodeWithKeyIndex`. */
export interface DecodeResult {
  /** The decoded value, as the codec's serializer returns it. */
  readonly value: unknown;
  /** Which key pair verified the value: 0 is the newest; more means it should be re-issued. */
  readonly keyIndex: number;
}

/** A codec's options, checked: the key pairs (newest first), the serializer and the limits. */
export interface ResolvedCodecOptions {
  readonly pairs: readonly ResolvedKeyPair[];
  readonly serializer: Serializer;
  readonly limits: Limits;
}

function checkLimit(option: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) {
    throw new SessionError("invalid_option", `${option} must be a number of at least 0 (0 = no limit), got ${value}.`);
  }
  return value;
}

/** Checks a codec's options; throws usage errors for missing or malformed keys and limits. */
export function resolveCodecOptions(options: CodecOptions): ResolvedCodecOptions {
  const list: readonly KeyPair[] = options.keys ?? [{ hashKey: options.hashKey, blockKey: options.blockKey }];
  if (list.length === 0) {
    throw new SessionError("missing_hash_key", "keys is empty; give at least one { hashKey } pair (newest first).");
  }
  const pairs = list.map((pair, index) => resolveKeyPair(pair, index));
  checkRotation(pairs);
  return {
    pairs,
    serializer: resolveSerializer(options.serializer),
    limits: {
      maxAge: checkLimit("maxAge", options.maxAge, DEFAULT_MAX_AGE),
      minAge: checkLimit("minAge", options.minAge, 0),
      maxLength: checkLimit("maxLength", options.maxLength, DEFAULT_MAX_LENGTH),
      now: options.now ?? systemNow,
    },
  };
}
