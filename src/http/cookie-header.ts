import { parseCookie, stringifySetCookie } from "cookie";
import type { SetCookie } from "cookie";
import { SessionError } from "../errors.ts";
import type { CookieOptions } from "./cookie-options.ts";

/** The earliest `Expires` gorilla/sessions writes to delete a cookie: 1970-01-01T00:00:01Z. */
const DELETE_EXPIRES = new Date(1000);
/** Characters a cookie value may hold unescaped (RFC 6265 cookie-octet, plus `=` as the cookie package does). */
const SAFE_VALUE = /^[\u0021-\u003A\u003C-\u007E]*$/;

function encodeValue(value: string): string {
  return SAFE_VALUE.test(value) && !value.includes("%") ? value : encodeURIComponent(value);
}

/**
 * Formats a `Set-Cookie` header as gorilla/sessions does: `maxAge` > 0 writes `Max-Age=n` and `Expires` =
 * now + n seconds; 0 writes neither (a browser-session cookie); < 0 writes `Max-Age=0` and an `Expires` in
 * 1970 (delete now). Codec output (URL-safe base64) is written as is; other values are percent-encoded.
 * Throws `invalid_option` for options a header cannot carry (a `;` in the path, a malformed domain…).
 * @param nowMs the clock in milliseconds, for `Expires`. @default Date.now()
 */
export function formatSetCookie(
  name: string,
  value: string,
  options: CookieOptions,
  nowMs: number = Date.now(),
): string {
  // Only frozen attributes are kept, so the kept ones need no Object.isFrozen (a walk of every property).
  const frozen = options === suffixOf.options || Object.isFrozen(options);
  if (!frozen || !SAFE_VALUE.test(value) || value.includes("%") || !TOKEN.test(name)) {
    return format(name, value, options, nowMs);
  }
  // Frozen attributes (a store's, a definition's) format alike for every cookie within one second: keep
  // their text, and put only the name and value before it.
  const second = Math.floor(nowMs / 1000);
  if (options !== suffixOf.options || second !== suffixOf.second) {
    suffixOf.suffix = format("x", "", options, second * 1000).slice(2);
    suffixOf.options = options;
    suffixOf.second = second;
  }
  return `${name}=${value}${suffixOf.suffix}`;
}

/**
 * Returns the length of the attributes {@link formatSetCookie} writes after `name=value` for `options`
 * (`; Max-Age=…; Path=/; …`), in bytes: the attributes a header can carry are ASCII.
 */
export function attributesLength(options: CookieOptions, nowMs: number = Date.now()): number {
  return formatSetCookie("x", "", options, nowMs).length - 2;
}

/** The attribute text of the frozen attributes formatted last, and the second it was formatted for. */
const suffixOf: { options: CookieOptions | undefined; second: number; suffix: string } = { options: undefined, second: -1, suffix: "" };
/** A cookie name the `cookie` package writes as it is (an RFC 6265 token). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function format(name: string, value: string, options: CookieOptions, nowMs: number): string {
  // "auto" is resolved per request before formatting (see resolveSecure); if it gets here, stay Secure.
  const cookie: SetCookie = { name, value, path: options.path, httpOnly: options.httpOnly, secure: options.secure !== false };
  if (options.domain !== undefined) cookie.domain = options.domain;
  if (options.priority !== undefined) cookie.priority = options.priority;
  if (options.sameSite !== false) cookie.sameSite = options.sameSite;
  if (options.partitioned) cookie.partitioned = true;
  if (options.maxAge > 0) {
    cookie.maxAge = options.maxAge;
    cookie.expires = new Date(nowMs + options.maxAge * 1000);
  } else if (options.maxAge < 0) {
    cookie.maxAge = 0;
    cookie.expires = DELETE_EXPIRES;
  }
  try {
    return stringifySetCookie(cookie, { encode: encodeValue });
  } catch (cause) {
    throw new SessionError(
      "invalid_option",
      `the Set-Cookie header of "${name}" cannot be written (${(cause as Error)?.message ?? cause}); check the cookie options (path, domain, maxAge, sameSite, priority).`,
      { cause },
    );
  }
}

/** Parses a `Cookie` request header into name → value; the first of duplicate names wins. */
export function parseCookieHeader(header: string | undefined | null): Record<string, string | undefined> {
  if (header === undefined || header === null || header === "") return {};
  return parseCookie(header);
}
