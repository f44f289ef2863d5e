/** Thirty days, in seconds: the default cookie `maxAge` and the codec's default `maxAge`. */
export const THIRTY_DAYS = 30 * 24 * 60 * 60;

/** The default clock: Unix seconds (with a fraction). */
export function systemNow(): number {
  return Date.now() / 1000;
}

/**
 * The longest cookie lifetime, in seconds: 400 days, the cap RFC 6265bis has browsers put on `Max-Age` and
 * `Expires`. A longer `maxAge` is refused where it is set (store, definition, session), and a stored one is
 * refused as corrupt.
 */
export const MAX_COOKIE_AGE = 400 * 24 * 60 * 60;
