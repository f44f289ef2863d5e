import { formatSetCookie } from "../http/cookie-header.ts";
import { type CookieOptions, resolveCookieOptions } from "../http/cookie-options.ts";
import { systemNow } from "../internal/time.ts";
import type { ErrorHook, SessionConfig } from "../session/session-config.ts";
import type { LoadedRecord, PreparedWrite, RecordWrite, Store } from "./store.ts";

/** What every built-in store shares: its cookie attributes, its clock and its error hook. Extend it for a store of your own. */
export abstract class StoreBase implements Store {
  /** The cookie attributes this store's sessions start with (frozen: sessions change their own copy). */
  readonly cookie: Readonly<CookieOptions>;
  /** The store-level error hook (see {@link Store.onError}). */
  readonly onError: ErrorHook | undefined;
  /** Trusts `X-Forwarded-Proto` for `secure: "auto"` (see {@link Store.trustProxy}). */
  readonly trustProxy: boolean;
  /** The longest `Set-Cookie` header this store's sessions may send, in bytes; 0 = no limit. */
  abstract readonly cookieLimit: number;
  readonly #now: () => number;

  protected constructor(options: {
    cookie?: Partial<CookieOptions> | undefined;
    now?: (() => number) | undefined;
    onError?: ErrorHook | undefined;
    trustProxy?: boolean | undefined;
  }) {
    this.cookie = Object.freeze(resolveCookieOptions(options.cookie));
    formatSetCookie("session", "", this.cookie); // throws invalid_option now, not at the first save
    this.#now = options.now ?? systemNow;
    this.onError = options.onError;
    this.trustProxy = options.trustProxy === true;
  }

  /** Returns the store's clock, in Unix seconds. */
  now(): number {
    return this.#now();
  }

  /** Decodes the record a request's cookie value stands for (see {@link Store.load}). */
  abstract load(name: string, cookieValue: string, config: SessionConfig): LoadedRecord | Promise<LoadedRecord>;
  /** Encodes a write (see {@link Store.prepare}). */
  abstract prepare(write: RecordWrite): PreparedWrite | Promise<PreparedWrite>;
}
