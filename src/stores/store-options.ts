import { DEFAULT_MAX_AGE, createCodec } from "../codec/codec.ts";
import type { Codec, CodecOptions } from "../codec/codec.ts";
import { hasNodeCrypto } from "../codec/node-crypto.ts";
import { type WebCryptoCodec, createWebCryptoCodec } from "../codec/web-codec.ts";
import type { KeyInput, KeyPair } from "../codec/keys.ts";
import type { CookieOptions } from "../http/cookie-options.ts";
import { SessionError } from "../errors.ts";
import type { ErrorHook } from "../session/session-config.ts";
import { type Serializer, rawSerializer } from "../serializers/serializers.ts";

/** The keys a store signs (and, with a block key, encrypts) with: one pair, or a rotation list, newest first. */
export type KeyOptions =
  | { hashKey: KeyInput; blockKey?: KeyInput | null | undefined; keys?: undefined }
  | { keys: readonly KeyPair[]; hashKey?: undefined; blockKey?: undefined };

/** Options every built-in store takes. */
export type StoreOptions = KeyOptions & {
  /** The cookie attributes of this store's sessions (merged over the defaults). */
  cookie?: Partial<CookieOptions> | undefined;
  /**
   * With `cookie: { secure: "auto" }`, trusts the first `X-Forwarded-Proto` header to tell an HTTPS request,
   * as express-session's `proxy`; set it only behind a proxy that sets (and overwrites) that header.
   * @default false (only the connection itself counts)
   */
  trustProxy?: boolean | undefined;
  /** Reports errors turned into a fresh session (tampered, expired, corrupt…). @default none */
  onError?: ErrorHook | undefined;
  /** The clock, in Unix seconds (for tests). @default () => Date.now() / 1000 */
  now?: (() => number) | undefined;
  /**
   * Told which key pair verified each session a request brought (see {@link KeyUseInfo}): watch it to know
   * when an old pair can be dropped. Called only for a session that decoded; what it throws is swallowed.
   * @default none
   */
  onKeyUsed?: ((info: KeyUseInfo) => void) | undefined;
  /**
   * Which cryptography signs and encrypts: `"auto"` takes node:crypto where the runtime has it (Node ≥ 20.16,
   * Bun, Deno: synchronous, the fastest) and WebCrypto elsewhere (Cloudflare Workers, Vercel Edge, Next.js
   * middleware); `"webcrypto"` takes WebCrypto (`crypto.subtle`) everywhere, e.g. to run on Node what an
   * edge deployment runs. Both write and read the same cookies.
   * @default "auto"
   */
  crypto?: "auto" | "webcrypto" | undefined;
};

/** What a store's `onKeyUsed` hook is told each time one of its key pairs verifies a session. */
export interface KeyUseInfo {
  /** The session (cookie) name. */
  readonly name: string;
  /** Which pair of the store's `keys` verified it: 0 is the newest; more means it still needs an older pair. */
  readonly keyIndex: number;
  /** How many pairs the store has (1 with `hashKey`). */
  readonly keyCount: number;
  /**
   * What was verified: the session's cookie (its values for a cookie store, its signed id for a server
   * store), or a server store's stored data (reported after its cookie).
   */
  readonly part: "cookie" | "data";
}

/** Reports key use to a store's `onKeyUsed`, swallowing its errors. */
export type KeyUseReporter = (name: string, keyIndex: number, part: KeyUseInfo["part"]) => void;

/**
 * Returns the reporter of a store's options, or `undefined` without a hook. A failing metrics hook must not
 * turn a good session into a failed request, so its errors are swallowed (as error hooks' are).
 */
export function keyUseReporter(options: KeyOptions & { onKeyUsed?: ((info: KeyUseInfo) => void) | undefined }): KeyUseReporter | undefined {
  const hook = options.onKeyUsed;
  if (hook === undefined) return undefined;
  const keyCount = options.keys?.length ?? 1;
  return (name, keyIndex, part) => {
    try {
      hook({ name, keyIndex, keyCount, part });
    } catch {
      // Telemetry only: the session decoded, and the request goes on.
    }
  };
}

/** The oldest a signed value may be, in seconds: the store's cookie maxAge when > 0, else 30 days. */
export function codecMaxAge(options: CookieOptions): number {
  return options.maxAge > 0 ? options.maxAge : DEFAULT_MAX_AGE;
}

/** A store's codec: node:crypto's answers at once, WebCrypto's with promises. */
export type StoreCodec = Codec | WebCryptoCodec;

/** Tells whether a store with these options uses the WebCrypto codec (see {@link StoreOptions.crypto}). */
export function usesWebCrypto(options: Pick<StoreOptions, "crypto">): boolean {
  const choice = options.crypto ?? "auto";
  if (choice !== "auto" && choice !== "webcrypto") {
    throw new SessionError("invalid_option", `crypto must be "auto" or "webcrypto", got ${JSON.stringify(choice)}.`);
  }
  return choice === "webcrypto" || !hasNodeCrypto;
}

/**
 * Bytes in and out, as the codec hands them over: a store reads a decoded payload into its record at once,
 * so it needs no copy of it (the public "raw" serializer copies, for callers that keep the bytes).
 */
const payloadBytes: Serializer = { serialize: rawSerializer.serialize, deserialize: (bytes) => bytes };

/** The codec options of a store's key options and `limits`: raw bytes in and out. */
export function codecOptionsFor(options: StoreOptions, limits: { maxAge: number; maxLength: number; now: () => number }): CodecOptions {
  const common = { serializer: payloadBytes, maxAge: limits.maxAge, maxLength: limits.maxLength, now: limits.now };
  return options.keys !== undefined ? { ...common, keys: options.keys } : { ...common, hashKey: options.hashKey, blockKey: options.blockKey };
}

/** Creates a raw-bytes codec from a store's key options, on node:crypto or WebCrypto (see {@link usesWebCrypto}). */
export function codecFor(options: StoreOptions, limits: { maxAge: number; maxLength: number; now: () => number }): StoreCodec {
  const codecOptions = codecOptionsFor(options, limits);
  return usesWebCrypto(options) ? createWebCryptoCodec(codecOptions) : createCodec(codecOptions);
}
