import { SessionError } from "../errors.ts";
import type { CookieOptions } from "./cookie-options.ts";
import { formatSetCookie, parseCookieHeader } from "./cookie-header.ts";

/** A `Set-Cookie` header formatted by {@link RequestContext.prepareCookie}, not yet on the response. */
export interface PendingCookie {
  /** The formatted header value (what size limits measure). */
  readonly header: string;
  /** Puts the header on the response, replacing the one this context set earlier for the same cookie. */
  commit(): void;
}

/**
 * What a session needs from one HTTP request: read a request cookie, and put a `Set-Cookie` on the response.
 * The adapters make one per request ({@link nodeContext}, `fetchContext`, the framework middlewares); for
 * another framework, build one with {@link createRequestContext}.
 */
export interface RequestContext {
  /**
   * The object that identifies this request. The library's contexts are made once per request and keep the
   * request's sessions themselves; for any other context, the session cache is attached to this object, so
   * two such contexts built for the same request share their sessions.
   */
  readonly request: object;
  /** Returns the value of the request cookie `name`, or `undefined` when absent. */
  getCookie(name: string): string | undefined;
  /**
   * Formats the `Set-Cookie` header of `name` (the only place a header is formatted) and returns it
   * pending, so a session can measure it and write its data before the header goes on the response.
   * Throws `headers_sent` when the response can no longer take a header, and `invalid_option` when the
   * attributes cannot be written.
   */
  prepareCookie(name: string, value: string, attributes: CookieOptions): PendingCookie;
  /**
   * Tells whether the request came over HTTPS, for cookies with `secure: "auto"`; with `trustProxy`, the
   * first `X-Forwarded-Proto` value decides when present. @default absent: `"auto"` cookies stay `Secure`
   */
  isSecure?(trustProxy: boolean): boolean;
}

/** Where a {@link createRequestContext} context reads the request's cookies and writes `Set-Cookie` lines. */
export interface CookieIo {
  /** Returns the request's `Cookie` header. */
  cookieHeader(): string | null | undefined;
  /** Returns the response's current `Set-Cookie` lines. */
  getSetCookies(): readonly string[];
  /** Replaces the response's `Set-Cookie` lines with `lines`. */
  setSetCookies(lines: readonly string[]): void;
  /** Appends one `Set-Cookie` line (when given, used instead of a replace when nothing is replaced). */
  appendSetCookie?(line: string): void;
  /** Tells whether the response's headers are already sent. @default never */
  headersSent?(): boolean;
  /** Tells whether the request itself came over HTTPS (TLS socket, `https:` URL). @default absent: `secure: "auto"` stays Secure */
  secure?(): boolean;
  /** Returns the request's `X-Forwarded-Proto` header, read only with `trustProxy`. @default absent */
  forwardedProto?(): string | null | undefined;
}

/** The first value of an `X-Forwarded-Proto` header, lower-cased, or `undefined` when absent or empty. */
function firstProto(header: string | null | undefined): string | undefined {
  if (header === null || header === undefined) return undefined;
  const first = header.split(",", 1)[0]?.trim().toLowerCase();
  return first === undefined || first === "" ? undefined : first;
}

/** The shared {@link RequestContext} implementation: one object per request, its methods on the prototype. */
export class CookieContext implements RequestContext {
  readonly request: object;
  /**
   * What the session layer keeps for this request (its sessions by name), set on first use: one context is
   * made per request.
   */
  cache: object | undefined = undefined;
  readonly #io: CookieIo;
  #cookies: Record<string, string | undefined> | undefined;
  /**
   * The Set-Cookie line this context wrote last for each name, to replace it on a later write: the first
   * name in two fields (most requests set one cookie), any other in a map made on first use.
   */
  #firstName: string | undefined;
  #firstLine: string | undefined;
  #written: Map<string, string> | undefined;

  constructor(request: object, io: CookieIo) {
    this.request = request;
    this.#io = io;
  }

  getCookie(name: string): string | undefined {
    this.#cookies ??= parseCookieHeader(this.#io.cookieHeader());
    return this.#cookies[name];
  }

  prepareCookie(name: string, value: string, attributes: CookieOptions): PendingCookie {
    this.#assertWritable(name);
    return new CookieContext.#Pending(this, name, formatSetCookie(name, value, attributes));
  }

  /** A header {@link CookieContext.prepareCookie} formatted: one object, its `commit` on the prototype (no closure a save). */
  static readonly #Pending = class implements PendingCookie {
    readonly #context: CookieContext;
    readonly #name: string;
    readonly header: string;

    constructor(context: CookieContext, name: string, header: string) {
      this.#context = context;
      this.#name = name;
      this.header = header;
    }

    commit(): void {
      this.#context.#commit(this.#name, this.header);
    }
  };

  isSecure(trustProxy: boolean): boolean {
    if (trustProxy) {
      const proto = firstProto(this.#io.forwardedProto?.());
      if (proto !== undefined) return proto === "https";
    }
    return this.#io.secure?.() ?? true;
  }

  #commit(name: string, header: string): void {
    this.#assertWritable(name);
    const io = this.#io;
    const previous = name === this.#firstName ? this.#firstLine : this.#written?.get(name);
    if (previous === undefined && io.appendSetCookie !== undefined) io.appendSetCookie(header);
    else if (previous === undefined && io.getSetCookies().length === 0) io.setSetCookies([header]);
    else io.setSetCookies([...io.getSetCookies().filter((line) => line !== previous), header]);
    if (this.#firstName === undefined || this.#firstName === name) {
      this.#firstName = name;
      this.#firstLine = header;
    } else (this.#written ??= new Map()).set(name, header);
  }

  #assertWritable(name: string): void {
    if (this.#io.headersSent?.() === true) {
      throw new SessionError(
        "headers_sent",
        `the session "${name}" was saved after the response headers were sent; save sessions before writing the body.`,
      );
    }
  }
}

/**
 * Creates a {@link RequestContext} over `io`: cookies are parsed once, on first read; each committed
 * `Set-Cookie` replaces the line this context wrote earlier for the same name and keeps every other line.
 * The node:http and Fetch adapters are built on it; use it for another framework, once per request (the
 * context keeps the request's sessions).
 * @param request the object that identifies the request (the session cache is attached to it)
 * @example
 * const ctx = createRequestContext(koaCtx.req, {
 *   cookieHeader: () => koaCtx.get("cookie"),
 *   getSetCookies: () => koaCtx.response.get("set-cookie") || [],
 *   setSetCookies: (lines) => koaCtx.set("set-cookie", [...lines]),
 *   headersSent: () => koaCtx.headerSent,
 * });
 */
export function createRequestContext(request: object, io: CookieIo): RequestContext {
  return new CookieContext(request, io);
}
