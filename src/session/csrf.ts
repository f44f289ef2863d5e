import { randomBytesFromPool } from "../codec/random-pool.ts";
import { SessionError } from "../errors.ts";
import { text } from "../internal/text.ts";
import type { Session } from "./session.ts";

/** The reserved session key the CSRF token lives under (kept by typed sessions' schema validation). */
export const CSRF_KEY = "_csrf";

/** A session or a typed session (anything with `untyped`), as the CSRF helpers accept. */
export type CsrfSession = Session | { readonly untyped: Session };

function untypedOf(session: CsrfSession): Session {
  return "untyped" in session ? session.untyped : session;
}

/**
 * Returns the session's CSRF token (43 base64url characters, 32 random bytes), creating and storing it on
 * first use, which marks the session changed so it is saved. Render it in forms (a hidden field) or hand it
 * to scripts (a header); check it on unsafe requests with {@link verifyCsrfToken}. The token is dropped by
 * `regenerate()` (login), so a token seen before login is useless after it: render a fresh one.
 */
export function csrfToken(session: CsrfSession): string {
  const s = untypedOf(session);
  const stored = s.get(CSRF_KEY);
  if (typeof stored === "string" && stored !== "") return stored;
  const token = text.base64Url(randomBytesFromPool(32));
  s.set(CSRF_KEY, token);
  return token;
}

/**
 * Tells whether `token` (from the request body or a header) is the session's CSRF token, in constant time.
 * False when the session has no token yet, for a missing or non-string token, and for a different length.
 */
export function verifyCsrfToken(session: CsrfSession, token: unknown): boolean {
  const stored = untypedOf(session).get(CSRF_KEY);
  if (typeof stored !== "string" || stored === "" || typeof token !== "string") return false;
  if (token.length !== stored.length) return false;
  // Every unit is compared, whatever the first difference: the time taken says nothing about where it is.
  let difference = 0;
  for (let i = 0; i < stored.length; i++) difference |= stored.charCodeAt(i) ^ token.charCodeAt(i);
  return difference === 0;
}

/**
 * Throws a `SessionError` with code `invalid_csrf_token` (kind "decode": untrusted input) unless `token`
 * is the session's CSRF token; answer it with a 403.
 */
export function assertCsrfToken(session: CsrfSession, token: unknown): void {
  if (!verifyCsrfToken(session, token)) {
    throw new SessionError(
      "invalid_csrf_token",
      "the request's CSRF token is missing or does not match the session's; render csrfToken(session) in the form and send it back, and answer this request with 403.",
    );
  }
}
