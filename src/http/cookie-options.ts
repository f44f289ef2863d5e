import { SessionError } from "../errors.ts";
import { MAX_COOKIE_AGE, THIRTY_DAYS } from "../internal/time.ts";

/**
 * The attributes of a session cookie, as gorilla/sessions' `Options`. Each session gets its own copy of its
 * store's defaults, so changing `session.options` (e.g. `maxAge = 0` when "remember me" is unchecked) affects
 * that session only.
 */
export interface CookieOptions {
  /** The cookie's `Path`. @default "/" */
  path: string;
  /** The cookie's `Domain`; unset means the current host only. @default undefined */
  domain?: string | undefined;
  /**
   * Lifetime in seconds: > 0 sets `Max-Age` and `Expires` (a persistent, "remember me" cookie); 0 sets
   * neither (a browser-session cookie); < 0 deletes the cookie now (`Max-Age=0`, `Expires` in 1970). At most
   * 34560000 (400 days, the longest browsers keep a cookie): a longer one is refused with `invalid_option`.
   * @default 2592000 (30 days)
   */
  maxAge: number;
  /**
   * Sends the cookie over HTTPS only. On by default: browsers treat `http://localhost` (and 127.0.0.1) as a
   * secure context and keep such cookies there too. `false` sends it over plain HTTP as well (opt-out);
   * `"auto"` sets `Secure` when the request came over HTTPS, decided per request by the request context
   * (behind a TLS-terminating proxy, give the store `trustProxy: true` so `X-Forwarded-Proto` counts).
   * @default true
   */
  secure: boolean | "auto";
  /** Hides the cookie from client-side JavaScript. @default true */
  httpOnly: boolean;
  /** The cookie's `SameSite` policy. @default "lax" */
  sameSite: "lax" | "strict" | "none" | false;
  /** Sets the CHIPS `Partitioned` attribute (needs `secure: true`). @default false */
  partitioned: boolean;
  /** The cookie's `Priority` attribute (Chromium): which cookies the browser evicts last. @default undefined (unset) */
  priority?: "low" | "medium" | "high" | undefined;
}

/** Returns the default cookie options: `Path=/`, `HttpOnly`, `Secure`, `SameSite=Lax`, 30 days. */
export function defaultCookieOptions(): CookieOptions {
  return {
    path: "/",
    maxAge: THIRTY_DAYS,
    secure: true,
    httpOnly: true,
    sameSite: "lax",
    partitioned: false,
  };
}

/** Merges partial options over `base` (the defaults when omitted) and checks them; returns a new object. */
export function resolveCookieOptions(
  partial: Partial<CookieOptions> | undefined,
  base: CookieOptions = defaultCookieOptions(),
): CookieOptions {
  const merged: CookieOptions = { ...base };
  if (partial !== undefined) {
    for (const [key, value] of Object.entries(partial)) {
      if (value !== undefined || key === "domain" || key === "priority") (merged as unknown as Record<string, unknown>)[key] = value;
    }
  }
  if (!Number.isFinite(merged.maxAge)) {
    throw new SessionError("invalid_option", `cookie maxAge must be a finite number of seconds, got ${merged.maxAge}.`);
  }
  merged.maxAge = Math.trunc(merged.maxAge);
  if (merged.maxAge > MAX_COOKIE_AGE) throw maxAgeTooLong(merged.maxAge);
  if (merged.secure !== true && merged.secure !== false && merged.secure !== "auto") {
    throw new SessionError("invalid_option", `cookie secure must be true, false or "auto", got ${JSON.stringify(merged.secure)}.`);
  }
  assertCookieAttributes(undefined, merged);
  return merged;
}

/**
 * Throws `invalid_option` for attributes browsers reject together: `SameSite=None` or `Partitioned` without
 * `Secure`, and, when `name` is given, a `__Secure-` name without `Secure`, or a `__Host-` name without
 * `Secure`, with a `Domain` or with a `Path` other than "/" (RFC 6265bis cookie prefixes). `secure: "auto"`
 * does not count as `Secure` here: over plain HTTP the browser would drop the cookie.
 */
export function assertCookieAttributes(name: string | undefined, options: Readonly<CookieOptions>): void {
  const secure = options.secure === true;
  const who = name === undefined ? "the cookie" : `the cookie "${name}"`;
  if (options.sameSite === "none" && !secure) {
    throw new SessionError("invalid_option", `${who} has sameSite: "none" without Secure, which browsers reject; set secure: true (or another sameSite).`);
  }
  if (options.partitioned && !secure) {
    throw new SessionError("invalid_option", `${who} is partitioned without Secure, which browsers reject; set secure: true (or partitioned: false).`);
  }
  if (name === undefined) return;
  if (name.startsWith("__Secure-") && !secure) {
    throw new SessionError("invalid_option", `${who} has the __Secure- prefix, which browsers accept only with Secure; set secure: true.`);
  }
  if (name.startsWith("__Host-")) {
    if (!secure || options.domain !== undefined || options.path !== "/") {
      throw new SessionError(
        "invalid_option",
        `${who} has the __Host- prefix, which browsers accept only with Secure, no Domain and Path "/"; set secure: true, leave domain unset and use path: "/".`,
      );
    }
  }
}

function maxAgeTooLong(maxAge: number): SessionError {
  return new SessionError(
    "invalid_option",
    `cookie maxAge ${maxAge} is over ${MAX_COOKIE_AGE} seconds (400 days), the longest browsers keep a cookie (RFC 6265bis); use at most ${MAX_COOKIE_AGE}.`,
  );
}

/**
 * Throws `invalid_option` unless the `maxAge` a session is about to be written with is a whole number of
 * seconds of at most 400 days: what a cookie header can carry and a stored session may hold.
 */
export function assertSessionMaxAge(name: string, maxAge: number): void {
  if (Number.isInteger(maxAge) && maxAge <= MAX_COOKIE_AGE) return;
  throw new SessionError(
    "invalid_option",
    `session "${name}" cannot be saved with cookie maxAge ${maxAge}: set its maxAge (session.cookie.maxAge) to a whole number of seconds, at most ${MAX_COOKIE_AGE} (400 days, the longest browsers keep a cookie), 0 for a browser-session cookie, or < 0 to delete it.`,
  );
}

/**
 * Tells whether two option objects would be written alike: every property equal (NaN equal to NaN), a
 * property set to `undefined` counting as absent (as JSON would show them).
 */
export function sameCookieOptions(a: CookieOptions, b: CookieOptions): boolean {
  const x = a as unknown as Record<string, unknown>;
  const y = b as unknown as Record<string, unknown>;
  for (const key in x) {
    const value = x[key];
    if (value !== y[key] && !(Number.isNaN(value) && Number.isNaN(y[key]))) return false;
  }
  for (const key in y) if (!(key in x) && y[key] !== undefined) return false;
  return true;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Throws `invalid_cookie_name` unless `name` is an RFC 6265 token (letters, digits and `!#$%&'*+-.^_`|~`). */
export function assertCookieName(name: string): void {
  if (typeof name !== "string" || !TOKEN.test(name)) {
    throw new SessionError(
      "invalid_cookie_name",
      `${JSON.stringify(name)} cannot be a cookie name: use letters, digits and !#$%&'*+-.^_\`|~ only (no spaces, "=", ";" or ",").`,
    );
  }
}
