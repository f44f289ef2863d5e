import type { Codec } from "../codec/codec.ts";
import type { RequestContext } from "../http/context.ts";
import { assertCookieName } from "../http/cookie-options.ts";
import type { Session } from "../session/session.ts";
import type { SessionConfig } from "../session/session-config.ts";
import type { Store } from "./store.ts";
import { checkTimeouts, decodePayload, encodePayload, serializerOf } from "./payload.ts";
import { StoreBase } from "./store-base.ts";
import { type StoreOptions, codecFor, codecMaxAge } from "./store-options.ts";

/** Options of {@link CookieStore}. */
export type CookieStoreOptions = StoreOptions & {
  /**
   * The longest `Set-Cookie` header (and encoded value) allowed, in bytes; 0 = no limit. Browsers keep
   * about 4096 bytes per cookie, so raise it only if you know every client accepts more.
   * @default 4096
   */
  maxLength?: number | undefined;
};

/**
 * Keeps every value in the cookie itself, signed (HMAC-SHA256) and, with a block key, encrypted (AES-CTR):
 * gorilla/sessions' `CookieStore`. Nothing is stored on the server, so a cookie session cannot be revoked
 * before it expires except by rotating the keys (`keys: [new, old]` re-issues; dropping `old` revokes all).
 * @example
 * const store = new CookieStore({ hashKey: process.env.SESSION_HASH_KEY!, blockKey: process.env.SESSION_BLOCK_KEY });
 */
export class CookieStore extends StoreBase implements Store {
  /** Decodes, refusing values over maxLength unread. */
  readonly #codec: Codec;
  /** Encodes without a length limit: the whole header is measured instead. */
  readonly #encoder: Codec;
  readonly #maxLength: number;

  /** Creates a cookie store; throws a usage error for missing or malformed keys. */
  constructor(options: CookieStoreOptions) {
    super(options);
    this.#maxLength = options.maxLength ?? 4096;
    this.#codec = codecFor(options, { maxAge: codecMaxAge(this.defaults), maxLength: this.#maxLength, now: this.now });
    this.#encoder = codecFor(options, { maxAge: codecMaxAge(this.defaults), maxLength: 0, now: this.now });
  }


  /** Loads the session from its cookie; a tampered, expired or foreign cookie gives a fresh session and a report. */
  async get(ctx: RequestContext, name: string, config: SessionConfig = {}): Promise<Session> {
    assertCookieName(name);
    const cookie = ctx.getCookie(name);
    if (cookie === undefined) return this.fresh(name, config);
    try {
      const { value, keyIndex } = this.#codec.decodeWithKeyIndex(name, cookie);
      const payload = decodePayload(name, serializerOf(config), value as Uint8Array);
      checkTimeouts(name, config, payload, this.now());
      const session = this.loaded(name, config, payload);
      if (keyIndex > 0) session.markDirty(); // signed with an older key: re-issue with the newest on save
      return session;
    } catch (err) {
      return this.recover(name, config, err);
    }
  }

  /** Writes the values into the cookie; throws `cookie_too_large` before setting any header when it would not fit. */
  async save(ctx: RequestContext, session: Session): Promise<void> {
    const now = Math.floor(this.now());
    if (session.options.maxAge < 0) {
      ctx.setCookie(session.name, "", session.options);
      session.markSaved(now);
      return;
    }
    if (!session.needsSave(now)) return;
    const bytes = encodePayload(session.name, serializerOf(session.config), this.payloadOf(session, now));
    const value = this.#encoder.encode(session.name, bytes);
    StoreBase.checkSize(session.name, value, session.options, now * 1000, this.#maxLength);
    ctx.setCookie(session.name, value, session.options);
    session.markSaved(now);
  }
}
