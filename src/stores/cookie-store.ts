import type { Codec } from "../codec/codec.ts";
import { SessionError } from "../errors.ts";
import type { SessionConfig } from "../session/session-config.ts";
import { encodePayload, loadedRecord, serializerOf } from "./payload.ts";
import type { LoadedRecord, PreparedWrite, RecordWrite } from "./store.ts";
import { StoreBase } from "./store-base.ts";
import { type KeyUseReporter, type StoreOptions, codecFor, codecMaxAge, keyUseReporter } from "./store-options.ts";

/** Options of {@link CookieStore}. */
export type CookieStoreOptions = StoreOptions & {
  /**
   * The longest `Set-Cookie` header (and encoded value) allowed, in bytes; 0 = no limit. Browsers keep
   * about 4096 bytes per cookie, so raise it only if you know every client accepts more.
   * @default 4096
   */
  maxLength?: number | undefined;
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
  /** The longest `Set-Cookie` header, in bytes (the `maxLength` option). */
  readonly cookieLimit: number;
  /** Decodes, refusing values over maxLength unread. */
  readonly #codec: Codec;
  /** Encodes without a length limit: the whole header is measured instead. */
  readonly #encoder: Codec;
  readonly #keyUse: KeyUseReporter | undefined;

  /**
   * Creates a cookie store; throws a usage error for missing or malformed keys, and `invalid_option` for a
   * key (pair) without a block key unless `signedOnly: true`.
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
    const now = () => this.now();
    this.#codec = codecFor(options, { maxAge: codecMaxAge(this.cookie), maxLength: this.cookieLimit, now });
    this.#encoder = codecFor(options, { maxAge: codecMaxAge(this.cookie), maxLength: 0, now });
    this.#keyUse = keyUseReporter(options);
  }

  /** Decodes the session from its cookie value; throws decode errors for a tampered, expired or foreign cookie. */
  load(name: string, cookieValue: string, config: SessionConfig): LoadedRecord {
    const decoded = this.#codec.decodeWithKeyIndex(name, cookieValue);
    const record = loadedRecord(name, config, decoded, "");
    this.#keyUse?.(name, decoded.keyIndex, "cookie");
    return record;
  }

  /** Encodes the values into the cookie value; nothing is written on the server. */
  prepare(write: RecordWrite): PreparedWrite {
    const bytes = encodePayload(write.name, serializerOf(write.config), write.record);
    return { cookieValue: this.#encoder.encode(write.name, bytes) };
  }
}
