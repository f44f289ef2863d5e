import { DEFAULT_MAX_AGE, createCodec } from "../codec/codec.ts";
import type { Codec } from "../codec/codec.ts";
import type { KeyInput, KeyPair } from "../codec/keys.ts";
import type { CookieOptions } from "../http/cookie-options.ts";
import type { ErrorHook } from "../session/session-config.ts";

/** The keys a store signs (and, with a block key, encrypts) with: one pair, or a rotation list, newest first. */
export type KeyOptions =
  | { hashKey: KeyInput; blockKey?: KeyInput | null | undefined; keys?: undefined }
  | { keys: readonly KeyPair[]; hashKey?: undefined; blockKey?: undefined };

/** Options every built-in store takes. */
export type StoreOptions = KeyOptions & {
  /** The cookie attributes of this store's sessions (merged over the defaults). */
  cookie?: Partial<CookieOptions> | undefined;
  /** Reports errors turned into a fresh session (tampered, expired, corrupt…). @default none */
  onError?: ErrorHook | undefined;
  /** The clock, in Unix seconds (for tests). @default () => Date.now() / 1000 */
  now?: (() => number) | undefined;
};

/** The oldest a signed value may be, in seconds: the store's cookie maxAge when > 0, else 30 days. */
export function codecMaxAge(options: CookieOptions): number {
  return options.maxAge > 0 ? options.maxAge : DEFAULT_MAX_AGE;
}

/** Creates a raw-bytes codec from a store's key options. */
export function codecFor(keys: KeyOptions, limits: { maxAge: number; maxLength: number; now: () => number }): Codec {
  const common = { serializer: "raw" as const, maxAge: limits.maxAge, maxLength: limits.maxLength, now: limits.now };
  return keys.keys !== undefined
    ? createCodec({ ...common, keys: keys.keys })
    : createCodec({ ...common, hashKey: keys.hashKey, blockKey: keys.blockKey });
}
