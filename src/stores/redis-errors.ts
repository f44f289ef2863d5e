import { SessionError } from "../errors.ts";

/**
 * Runs one Redis call with a deadline and turns every failure into a `store_unavailable` error.
 *
 * The deadline is a safety net on top of the client's own `commandTimeout`: a client passed in by the
 * application may have none, and a session store must never leave a request waiting forever.
 * @param what the command, for the message (e.g. `"GET"`)
 * @param timeoutMs the deadline in milliseconds; 0 = none
 */
export async function redisCall<T>(what: string, timeoutMs: number, run: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline =
    timeoutMs > 0
      ? new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error("Command timed out")), timeoutMs);
          timer.unref();
        })
      : undefined;
  try {
    const call = run();
    return await (deadline === undefined ? call : Promise.race([call, deadline]));
  } catch (err) {
    throw unavailable(what, timeoutMs, err);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

/** Wraps `cause` (anything a Redis client threw) in a `store_unavailable` error that says what to check. */
export function unavailable(what: string, timeoutMs: number, cause: unknown): SessionError {
  if (cause instanceof SessionError) return cause;
  const detail = cause instanceof Error ? cause.message : String(cause);
  const code = typeof cause === "object" && cause !== null && "code" in cause ? String(cause.code) : "";
  return new SessionError("store_unavailable", `Redis ${what} failed: ${explain(detail, code, timeoutMs)}`, {
    cause,
  });
}

// ioredis gives plain Errors without a code for timeouts and closed connections, so those are told apart by
// message; socket errors carry Node's `code`.
function explain(detail: string, code: string, timeoutMs: number): string {
  if (/timed out/i.test(detail)) {
    return `no answer within ${timeoutMs} ms. Check that Redis is running and reachable, or raise commandTimeout.`;
  }
  if (code.startsWith("E")) {
    return `${detail}. Check that Redis is running at the configured address; the client keeps reconnecting.`;
  }
  if (/Connection is closed|max ?retries|Stream isn't writeable|reconnect/i.test(detail)) {
    return `the connection is down (${detail}). The client keeps reconnecting; retry the request or answer 503.`;
  }
  return `${detail}. Retry the request or answer 503; the session was not read or written.`;
}
