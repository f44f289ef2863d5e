import { SessionError, isDecodeError } from "../errors.ts";
import { formatSetCookie, setCookieSizeAtMost } from "../http/cookie-header.ts";
import { type CookieOptions, assertCookieName, resolveCookieOptions, sameCookieOptions } from "../http/cookie-options.ts";
import { Session } from "../session/session.ts";
import type { ErrorHook, SessionConfig } from "../session/session-config.ts";
import type { RequestContext } from "../http/context.ts";
import type { Store } from "./store.ts";
import type { Payload } from "./payload.ts";
import { report, systemNow } from "./store-options.ts";

/**
 * What every built-in store shares: default options, the clock, new sessions, and turning decode errors
 * into a fresh session plus a report.
 */
export abstract class StoreBase implements Store {
  /** The default cookie options copied into each new session. */
  readonly defaults: CookieOptions;
  /** The clock, in Unix seconds. */
  protected readonly now: () => number;
  /** The store-level error hook (see {@link Store.onError}). */
  readonly onError: ErrorHook | undefined;

  protected constructor(options: {
    options?: Partial<CookieOptions> | undefined;
    now?: (() => number) | undefined;
    onError?: ErrorHook | undefined;
  }) {
    this.defaults = resolveCookieOptions(options.options);
    formatSetCookie("session", "", this.defaults); // throws invalid_option now, not at the first save
    this.now = options.now ?? systemNow;
    this.onError = options.onError;
  }

  abstract get(ctx: RequestContext, name: string, config?: SessionConfig): Promise<Session>;
  abstract save(ctx: RequestContext, session: Session): Promise<void>;

  /** Returns a new, empty session (server-side stores assign its id on first save). */
  async new(_ctx: RequestContext, name: string, config: SessionConfig = {}): Promise<Session> {
    return this.fresh(name, config);
  }

  /** Builds a new, empty session for this store. */
  protected fresh(name: string, config: SessionConfig): Session {
    assertCookieName(name);
    const now = Math.floor(this.now());
    return new Session(this, name, {
      options: this.optionsFor(config),
      config,
      isNew: true,
      createdAt: now,
      accessedAt: now,
    });
  }

  /** The cookie options a session of `config` starts with (the Session copies them). */
  private optionsFor(config: SessionConfig): CookieOptions {
    return config.options === undefined ? this.defaults : resolveCookieOptions(config.options, this.defaults);
  }

  /** Builds a loaded session, with the maxAge it was saved with when that differed from the default. */
  protected loaded(name: string, config: SessionConfig, data: Payload, id?: string): Session {
    const defaults = this.optionsFor(config);
    return new Session(this, name, {
      id,
      values: data.values,
      createdAt: data.createdAt,
      accessedAt: data.accessedAt,
      options: data.maxAge === undefined || data.maxAge === defaults.maxAge ? defaults : { ...defaults, maxAge: data.maxAge },
      config,
      isNew: false,
    });
  }

  /**
   * Returns the payload to save for `session` at `now`: its values and metadata, with its own maxAge when
   * that differs from the default its definition starts with (so "remember me" unticked sticks).
   */
  protected payloadOf(session: Session, now: number): Payload {
    const payload = { values: session.values(), createdAt: session.createdAt, accessedAt: now };
    const maxAge = session.options.maxAge;
    return maxAge >= 0 && maxAge !== this.optionsFor(session.config).maxAge ? { ...payload, maxAge } : payload;
  }

  /** Turns a decode error into a report and a fresh session; rethrows anything else. */
  protected recover(name: string, config: SessionConfig, err: unknown): Session {
    if (!isDecodeError(err)) throw err;
    const phase = err.code === "session_timeout" ? "timeout" : "decode";
    report(this.onError, config, err, { name, phase });
    return this.fresh(name, config);
  }

  /**
   * Throws `invalid_option` when no `Set-Cookie` header can carry `options` (a `;` in a path changed per
   * session, say), before anything is stored. Options equal to the store's defaults were checked when the
   * store was made, so only changed ones are formatted here.
   * @param nowMs the clock in milliseconds, for `Expires`
   */
  protected assertCookieFormattable(name: string, value: string, options: CookieOptions, nowMs: number): void {
    if (!sameCookieOptions(options, this.defaults)) formatSetCookie(name, value, options, nowMs);
  }

  /**
   * Throws `cookie_too_large` when the `Set-Cookie` header of `value` (codec output) would be over `limit`
   * bytes (0 = no limit); formats the header only when a cheap upper bound of its size is over the limit.
   * @param nowMs the clock in milliseconds, for `Expires`
   */
  protected static checkSize(name: string, value: string, options: CookieOptions, nowMs: number, limit: number): void {
    if (limit <= 0 || setCookieSizeAtMost(name, value, options) <= limit) return;
    const size = Buffer.byteLength(formatSetCookie(name, value, options, nowMs), "utf8");
    if (size > limit) {
      throw new SessionError(
        "cookie_too_large",
        `the Set-Cookie header of session "${name}" would be ${size} bytes, over the ${limit}-byte limit browsers keep; store less in it, use a server-side store (FilesystemStore, RedisStore), or raise maxLength.`,
      );
    }
  }
}
