/** Thirty days, in seconds: the default cookie `maxAge` and the codec's default `maxAge`. */
export const THIRTY_DAYS = 30 * 24 * 60 * 60;

/** The default clock: Unix seconds (with a fraction). */
export function systemNow(): number {
  return Date.now() / 1000;
}
