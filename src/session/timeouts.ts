import { SessionError } from "../errors.ts";
import type { SessionRecord } from "../stores/store.ts";
import type { SessionConfig } from "./session-config.ts";

/**
 * How far ahead of the store's clock a stored creation or save time may be, in seconds: the clock skew
 * tolerated between the servers that share a store's keys.
 */
export const CLOCK_SKEW = 300;

/**
 * Throws `session_timeout` when the idle or absolute timeout of `config` has passed at `now`, and `expired`
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
  const absolute = config.absoluteTimeout ?? 0;
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
