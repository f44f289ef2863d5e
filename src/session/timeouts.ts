import { SessionError } from "../errors.ts";
import type { SessionRecord } from "../stores/store.ts";
import type { SessionConfig } from "./session-config.ts";

/**
 * Throws `session_timeout` when the idle or absolute timeout of `config` has passed at `now`, and `expired`
 * when the session's own persistent maxAge has passed since its last save (as its cookie has in the browser).
 */
export function checkTimeouts(name: string, config: SessionConfig, record: SessionRecord, now: number): void {
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
