import type { DecodeResult } from "../codec/codec.ts";
import { SessionError } from "../errors.ts";
import type { SessionConfig } from "../session/session-config.ts";
import { type CookieChunking, resolveChunking } from "./cookie-chunks.ts";
import { encodePayload, loadedRecord, serializerOf } from "./payload.ts";
import type { LoadedRecord, PreparedWrite, RecordWrite } from "./store.ts";
import { StoreBase } from "./store-base.ts";
import { type KeyUseReporter, type StoreCodec, type StoreOptions, codecFor, codecMaxAge, keyUseReporter } from "./store-options.ts";

/** Options of {@link CookieStore}. */
export type CookieStoreOptions = StoreOptions & {
  /**
   * The longest `Set-Cookie` header (and encoded value) allowed, in bytes; 0 = no limit. Browsers keep
   * about 4096 bytes per cookie, so raise it only if you know every client accepts more. With `chunking`,
   * the longest header of each chunk.
   * @default 4096
   */
  maxLength?: number | undefined;
  /**
   * Splits a session whose `Set-Cookie` header would be over `maxLength` across the cookies `name`, `name.1`,
   * `name.2`, … (each within `maxLength`) instead of refusing it with `cookie_too_large`; reading joins them
   * and verifies the whole. `true` takes the default caps (4 cookies, 6144 bytes of `Cookie` header); an
   * object sets either. A save over the caps throws `chunk_limit_exceeded`. A session that fits in one
   * cookie is sent exactly as without chunking. A server-side store (FilesystemStore, RedisStore) is
   * usually the better answer to a large session: its cookie carries only an id.
   * @default false (one cookie)
   * @example new CookieStore({ ...keysFromEnv(process.env), chunking: true })
   */
  chunking?: boolean | Partial<CookieChunking> | undefined;
  /**
   * Sends the values signed but not encrypted, readable by anyone who has the cookie (base64): required,
   * as an explicit choice, when no block key is given. @default false (a block key is required)
   */
  signedOnly?: boolean | undefined;
};

function hasBlockKey(key: unknown): boolean {
  return key !== undefined && key !== null && !(typeof key === "string" && key === "");
}

/**
 * Keeps every value in the cookie itself, signed (HMAC-SHA256) and, with a block key, encrypted (AES-CTR):
 * gorilla/sessions' `CookieStore`. Nothing is stored on the server, so a cookie session cannot be revoked
 * before it expires except by rotating the keys (`keys: [new, old]` re-issues; dropping `old` revokes all).
 * @example
 * import { CookieStore, keysFromEnv } from "typed-sessions";
 * const store = new CookieStore(keysFromEnv(process.env)); // SESSION_HASH_KEY / SESSION_BLOCK_KEY, hex, from `typed-sessions keygen`
 */
export class CookieStore extends StoreBase {
  /** The longest `Set-Cookie` header, in bytes (the `maxLength` option): of each chunk with `chunking`. */
  readonly cookieLimit: number;
  /** The chunking caps (the `chunking` option, resolved), or `undefined` for one cookie. */
  readonly chunking: CookieChunking | undefined;
  /** Decodes, refusing values over maxLength (with chunking, over maxBytes in all) unread. */
  readonly #codec: StoreCodec;
  /** Encodes without a length limit: the whole header is measured instead. */
  readonly #encoder: StoreCodec;
  readonly #keyUse: KeyUseReporter | undefined;

  /**
   * Creates a cookie store; throws a usage error for missing or malformed keys, and `invalid_option` for a
   * key (pair) without a block key unless `signedOnly: true`, and for chunking caps out of range.
   */
  constructor(options: CookieStoreOptions) {
    super(options);
    // The newest pair encodes: older pairs only read cookies issued before, so a move to encryption can keep them.
    const encrypted = hasBlockKey(options.keys !== undefined ? options.keys[0]?.blockKey : options.blockKey);
    if (!encrypted && options.signedOnly !== true) {
      throw new SessionError(
        "invalid_option",
        "CookieStore has no block key, so its cookies would carry the session values readable (signed, not encrypted): give a blockKey (e.g. from keysFromEnv with SESSION_BLOCK_KEY, made by `typed-sessions keygen`), or pass signedOnly: true to send readable values.",
      );
    }
    this.cookieLimit = options.maxLength ?? 4096;
    this.chunking = resolveChunking(options.chunking, this.cookieLimit);
    const now = () => this.now();
    const readLimit = this.chunking?.maxBytes ?? this.cookieLimit;
    this.#codec = codecFor(options, { maxAge: codecMaxAge(this.cookie), maxLength: readLimit, now });
    this.#encoder = codecFor(options, { maxAge: codecMaxAge(this.cookie), maxLength: 0, now });
    this.#keyUse = keyUseReporter(options);
  }

  /**
   * Decodes the session from its cookie value, at once on node:crypto (a promise on WebCrypto); throws
   * decode errors for a tampered, expired or foreign cookie.
   */
  load(name: string, cookieValue: string, config: SessionConfig): LoadedRecord | Promise<LoadedRecord> {
    const decoded = this.#codec.decodeWithKeyIndex(name, cookieValue);
    return decoded instanceof Promise ? decoded.then((result) => this.#loaded(name, config, result)) : this.#loaded(name, config, decoded);
  }

  #loaded(name: string, config: SessionConfig, decoded: DecodeResult): LoadedRecord {
    const record = loadedRecord(name, config, decoded, "");
    this.#keyUse?.(name, decoded.keyIndex, "cookie");
    return record;
  }

  /** Encodes the values into the cookie value (a promise on WebCrypto); nothing is written on the server. */
  prepare(write: RecordWrite): PreparedWrite | Promise<PreparedWrite> {
    const bytes = encodePayload(write.name, serializerOf(write.config), write.record);
    const cookieValue = this.#encoder.encode(write.name, bytes);
    return typeof cookieValue === "string" ? { cookieValue } : cookieValue.then((value) => ({ cookieValue: value }));
  }
}
