import { SessionError } from "../../errors.ts";
import { copyError } from "../error-copy.ts";
import { deadlineList } from "./deadline-list.ts";

/** How long a Redis call may take, in milliseconds. */
export interface Deadline {
  /** What the message quotes: the effective timeout (the client's or the store's). */
  readonly timeoutMs: number;
  /** The store's own timer; 0 when the client's `commandTimeout` already enforces `timeoutMs`. */
  readonly timerMs: number;
}

/**
 * Chooses the deadline of a store's Redis calls: the client's own `commandTimeout` when it is at most
 * `timeoutMs` (no second timer per command), else a timer of the store's. A client passed in by the
 * application may have no timeout at all, and a session store must never leave a request waiting forever.
 */
export function deadlineFor(clientTimeout: unknown, timeoutMs: number): Deadline {
  if (typeof clientTimeout === "number" && clientTimeout > 0 && (timeoutMs === 0 || clientTimeout <= timeoutMs)) {
    return { timeoutMs: clientTimeout, timerMs: 0 };
  }
  return { timeoutMs, timerMs: timeoutMs };
}

/**
 * Runs one Redis call within `deadline` and turns every failure into a `store_unavailable` error.
 * @param what the command, for the message (e.g. `"GET"`)
 * @param map applied to the reply before the call resolves (no `.then` of the caller's: one promise less)
 * @param recover called with the call's error: a call to make instead (within the same deadline), or
 *   `undefined` to fail (no `.catch` of the caller's: one promise less)
 */
export function redisCall<T>(what: string, deadline: Deadline, run: () => Promise<T>): Promise<T>;
export function redisCall<T, R>(
  what: string,
  deadline: Deadline,
  run: () => Promise<T>,
  map: (reply: T) => R | PromiseLike<R>,
  recover?: (err: unknown) => Promise<T> | undefined,
): Promise<R>;
export function redisCall<T, R>(
  what: string,
  deadline: Deadline,
  run: () => Promise<T>,
  map?: (reply: T) => R | PromiseLike<R>,
  recover?: (err: unknown) => Promise<T> | undefined,
): Promise<T | R> {
  // Every session read and save comes through here, once or twice a request: one promise of its own, no
  // async wrapper nor Promise.race (each an extra promise and microtask hop), and with a timer of the
  // store's, a place in the list of calls under that timeout (one shared timer, not one per call).
  let call: Promise<T>;
  try {
    call = run();
  } catch (err) {
    return Promise.reject(unavailable(what, deadline.timeoutMs, err));
  }
  if (deadline.timerMs === 0) {
    return Promise.resolve(call).then(map, (err: unknown) => afterFailure(what, deadline, err, map, recover));
  }
  const list = deadlineList(deadline.timerMs);
  return new Promise<T | R>((resolve, reject) => {
    const waiting = list.add(() => reject(unavailable(what, deadline.timeoutMs, new Error("Command timed out"))));
    const settled = (value: T | R | PromiseLike<R>): void => {
      list.remove(waiting);
      resolve(value);
    };
    const failed = (err: unknown): void => {
      list.remove(waiting);
      reject(err);
    };
    Promise.resolve(call).then(
      (value) => {
        let mapped: T | R | PromiseLike<R>;
        try {
          mapped = map === undefined ? value : map(value);
        } catch (err) {
          failed(err); // the caller's own error, as without a timer
          return;
        }
        settled(mapped);
      },
      (err: unknown) => afterFailure(what, deadline, err, map, recover).then(settled, failed),
    );
  });
}

/**
 * What a failed call of {@link redisCall} comes to: the call `recover` makes instead (mapped), or the
 * failure as a `store_unavailable` error.
 */
function afterFailure<T, R>(
  what: string,
  deadline: Deadline,
  err: unknown,
  map: ((reply: T) => R | PromiseLike<R>) | undefined,
  recover: ((err: unknown) => Promise<T> | undefined) | undefined,
): Promise<T | R> {
  let again: Promise<T> | undefined;
  try {
    again = recover?.(err);
  } catch (thrown) {
    again = Promise.reject(thrown);
  }
  if (again === undefined) return Promise.reject(unavailable(what, deadline.timeoutMs, err));
  return Promise.resolve(again).then(map, (retryErr: unknown) => {
    throw unavailable(what, deadline.timeoutMs, retryErr);
  });
}

/** Wraps `cause` (anything a Redis client threw) in a `store_unavailable` error that says what to check. */
export function unavailable(what: string, timeoutMs: number, cause: unknown): SessionError {
  if (cause instanceof SessionError) return cause;
  const detail = cause instanceof Error ? cause.message : String(cause);
  const code = typeof cause === "object" && cause !== null && "code" in cause ? String(cause.code) : "";
  return new SessionError("store_unavailable", `Redis ${what} failed: ${explain(detail, code, timeoutMs)}`, {
    cause: withoutCommandArgs(cause),
  });
}

/**
 * Returns an ioredis error without the arguments of its command (`command.args`: the key, which holds the
 * session id, a bearer secret, and for a SET the session data), which logs would otherwise print.
 */
function withoutCommandArgs(cause: unknown): unknown {
  if (!(cause instanceof Error) || !("command" in cause || "previousErrors" in cause)) return cause;
  const source = cause as unknown as Record<string, unknown>;
  const fields: Record<string, unknown> = {};
  if ("code" in source) fields["code"] = source["code"];
  const command = source["command"] as { name?: unknown } | undefined;
  if (command !== undefined) fields["command"] = { name: command?.name };
  return copyError(cause, cause.message, cause.stack ?? "", fields);
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
