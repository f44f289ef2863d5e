import { SessionError, isDecodeError, isSessionError } from "../errors.ts";
import { copyError } from "./error-copy.ts";

/** Node's error fields that may carry a file path, and so a session id (`session_<id>`). */
const TEXT_FIELDS = ["path", "dest", "address"] as const;
/** Node's error fields copied as they are. */
const PLAIN_FIELDS = ["code", "errno", "syscall"] as const;

/** Replaces every session id in `text` with its first six characters and an ellipsis. */
function redact(text: string, ids: readonly string[]): string {
  let out = text;
  for (const id of ids) if (id !== "") out = out.replaceAll(id, `${id.slice(0, 6)}…`);
  return out;
}

/** How deep {@link mentions} follows `cause` chains. */
const MAX_CAUSE_DEPTH = 8;

/** Tells whether `err` or any error in its `cause` chain names one of `ids` (message, stack, path fields). */
function mentions(err: unknown, ids: readonly string[], depth: number): boolean {
  if (depth > MAX_CAUSE_DEPTH) return false;
  if (typeof err === "string") return ids.some((id) => id !== "" && err.includes(id));
  if (!(err instanceof Error)) return false;
  const fields = err as unknown as Record<string, unknown>;
  const texts = [err.message, err.stack ?? "", ...TEXT_FIELDS.map((key) => fields[key])];
  if (texts.some((text) => typeof text === "string" && ids.some((id) => id !== "" && text.includes(id)))) return true;
  return mentions(err.cause, ids, depth + 1);
}

/**
 * Returns `err` with the session ids in `ids` cut short, in its message, stack and path fields: a session
 * id is a bearer secret, and backend errors (Node's fs errors name the file, `session_<id>`) end up in logs.
 * An error whose cause chain names none of the ids is returned as it is; a copy keeps only the message,
 * stack, name, `code`, `errno`, `syscall` and path fields (redacted) and the cleaned cause.
 */
export function withoutIds(err: unknown, ids: readonly string[]): unknown {
  if (!(err instanceof Error)) return typeof err === "string" ? redact(err, ids) : err;
  if (!mentions(err, ids, 0)) return err;
  const source = err as unknown as Record<string, unknown>;
  const fields: Record<string, unknown> = {};
  for (const key of PLAIN_FIELDS) if (key in source) fields[key] = source[key];
  for (const key of TEXT_FIELDS) {
    const value = source[key];
    if (value !== undefined) fields[key] = typeof value === "string" ? redact(value, ids) : value;
  }
  const cause = err.cause === undefined ? undefined : withoutIds(err.cause, ids);
  return copyError(err, redact(err.message, ids), redact(err.stack ?? "", ids), fields, cause);
}

/**
 * Wraps a backend failure to `operation` session `name` in `store_unavailable` (decode errors,
 * `store_unavailable` and `session_conflict` pass through), with the session ids `ids` cut short in the
 * message and the cause.
 */
export function backendError(name: string, operation: string, err: unknown, ids: readonly string[] = []): unknown {
  if (isDecodeError(err) || isSessionError(err, "store_unavailable", "session_conflict")) return err;
  const cause = withoutIds(err, ids);
  return new SessionError(
    "store_unavailable",
    `the session backend failed to ${operation} session "${name}" (${(cause as Error)?.message ?? cause}); check that it is reachable and writable, then retry.`,
    { cause },
  );
}
