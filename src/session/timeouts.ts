import { SessionError } from "../errors.ts";
import type { SessionRecord } from "../stores/store.ts";
import { THIRTY_DAYS } from "../internal/time.ts";
import type { SessionConfig } from "./session-config.ts";

/**
 * The absolute timeout when a definition sets none, in seconds: 30 days, the default cookie maxAge (see
 * {@link SessionConfig.absoluteTimeout}).
 */
export const DEFAULT_ABSOLUTE_TIMEOUT = THIRTY_DAYS;

/**
 * How long a browser-session cookie (maxAge 0) is accepted after its last save when a definition sets no
 * `sessionCookieLifetime`, in seconds: one day (see {@link SessionConfig.sessionCookieLifetime}).
 */
export const DEFAULT_SESSION_COOKIE_LIFETIME = 24 * 60 * 60;

/**
 * How long the server accepts a session whose cookie is a browser-session cookie (maxAge 0) after its last
 * save, in seconds: the definition's `sessionCookieLifetime`, bounded by `storeLimit` (the store's
 * signed-timestamp limit, which refuses an older cookie anyway). Also the time to live of its server data.
 */
export function sessionCookieLifetime(config: SessionConfig, storeLimit: number): number {
  const lifetime = config.sessionCookieLifetime ?? DEFAULT_SESSION_COOKIE_LIFETIME;
  return lifetime > 0 ? Math.min(Math.ceil(lifetime), storeLimit) : storeLimit;
}

/**
 * How far ahead of the store's clock a stored creation or save time may be, in seconds: the clock skew
 * tolerated between the servers that share a store's keys.
 */
export const CLOCK_SKEW = 300;

/**
 * Throws `session_timeout` when the idle or absolute timeout (30 days unless set) of `config` has passed at `now`, and `expired`
 * when the session's own persistent maxAge has passed since its last save (as its cookie has in the browser).
 * A creation or save time more than {@link CLOCK_SKEW} seconds in the future, which would put the timeouts
 * off (and no save writes), is `corrupt_data`.
 */
export function checkTimeouts(name: string, config: SessionConfig, record: SessionRecord, now: number): void {
  if (!(record.createdAt <= now + CLOCK_SKEW && record.accessedAt <= now + CLOCK_SKEW)) {
    const [field, value] = record.createdAt > record.accessedAt ? ["createdAt", record.createdAt] : ["accessedAt", record.accessedAt];
    throw new SessionError(
      "corrupt_data",
      `the stored data of session "${name}" is corrupt (its ${field} ${value} is ${Math.round(value - now)}s ahead of the store's clock); a fresh session was started.`,
    );
  }
  const idle = config.idleTimeout ?? 0;
  const absolute = config.absoluteTimeout ?? DEFAULT_ABSOLUTE_TIMEOUT;
  const own = record.maxAge ?? 0;
  if (own > 0 && now - record.accessedAt > own) {
    throw new SessionError("expired", `session "${name}" is older than its maxAge of ${own}s; a fresh session was started.`);
  }
  if (idle > 0 && now - record.accessedAt > idle) {
    throw new SessionError(
      "session_timeout",
      `session "${name}" was idle for more than ${idle}s (idleTimeout); a fresh session was started.`,
    );
  }
  if (absolute > 0 && now - record.createdAt > absolute) {
    throw new SessionError(
      "session_timeout",
      `session "${name}" is older than ${absolute}s (absoluteTimeout); a fresh session was started.`,
    );
  }
}

/**
 * Throws `session_timeout` when a session with a browser-session cookie (maxAge 0) was not saved for more
 * than `lifetime` seconds ({@link sessionCookieLifetime}): browsers that restore their tabs keep such a
 * cookie for as long as they like, so the server bounds it.
 */
export function checkSessionCookieLifetime(name: string, lifetime: number, record: SessionRecord, now: number): void {
  if (lifetime > 0 && now - record.accessedAt > lifetime) {
    throw new SessionError(
      "session_timeout",
      `session "${name}" has a browser-session cookie (maxAge 0) not saved for more than ${lifetime}s (sessionCookieLifetime); a fresh session was started.`,
    );
  }
}
