/**
 * Every error typed-sessions throws is a {@link SessionError}: one class with a snake_case `code`,
 * a `kind` that says whose problem it is, and the underlying `cause` when there is one.
 *
 * - `usage`: a bug in the calling code or its configuration (bad key length, a value that cannot be
 *   serialized). Fix the code; retrying will not help.
 * - `decode`: untrusted input was refused (tampered, expired or foreign cookies, corrupt files). Expected
 *   in production: stores turn these into a fresh session and report them through `onError`.
 * - `validation`: authentic data that does not fit the session's schema.
 * - `unavailable`: a backend (disk, Redis) could not be reached, or (`session_conflict`) another request
 *   changed the same session key meanwhile; the request may be retried.
 */
export type ErrorKind = "usage" | "decode" | "validation" | "unavailable";

/**
 * Every `code` a {@link SessionError} can carry, by kind: usage, decode, validation, unavailable.
 */
export type SessionErrorCode =
  // usage
  | "missing_hash_key"
  | "weak_hash_key"
  | "invalid_block_key"
  | "encoded_too_long"
  | "serialize_failed"
  | "invalid_option"
  | "cookie_too_large"
  | "chunk_limit_exceeded"
  | "session_destroyed"
  | "wrong_value_type"
  | "invalid_cookie_name"
  | "headers_sent"
  | "cookies_read_only"
  | "missing_middleware"
  | "wrong_context"
  | "invalid_user_key"
  | "unsupported_runtime"
  // decode
  | "invalid_mac"
  | "invalid_base64"
  | "value_too_long"
  | "expired"
  | "too_new"
  | "invalid_timestamp"
  | "decrypt_failed"
  | "deserialize_failed"
  | "invalid_session_id"
  | "invalid_chunks"
  | "corrupt_data"
  | "unknown_session"
  | "session_timeout"
  | "invalid_csrf_token"
  // validation
  | "invalid_session_data"
  // unavailable
  | "store_unavailable"
  | "session_conflict";

/** The kind of each code. */
const KINDS = {
  // usage
  missing_hash_key: "usage",
  weak_hash_key: "usage",
  invalid_block_key: "usage",
  encoded_too_long: "usage",
  serialize_failed: "usage",
  invalid_option: "usage",
  cookie_too_large: "usage",
  chunk_limit_exceeded: "usage",
  session_destroyed: "usage",
  wrong_value_type: "usage",
  invalid_cookie_name: "usage",
  headers_sent: "usage",
  cookies_read_only: "usage",
  missing_middleware: "usage",
  wrong_context: "usage",
  invalid_user_key: "usage",
  unsupported_runtime: "usage",
  // decode
  invalid_mac: "decode",
  invalid_base64: "decode",
  value_too_long: "decode",
  expired: "decode",
  too_new: "decode",
  invalid_timestamp: "decode",
  decrypt_failed: "decode",
  deserialize_failed: "decode",
  invalid_session_id: "decode",
  invalid_chunks: "decode",
  corrupt_data: "decode",
  unknown_session: "decode",
  session_timeout: "decode",
  invalid_csrf_token: "decode",
  // validation
  invalid_session_data: "validation",
  // unavailable
  store_unavailable: "unavailable",
  session_conflict: "unavailable",
} as const satisfies Record<SessionErrorCode, ErrorKind>;


/** The base class of every error typed-sessions throws. Tell errors apart by `code`, never by message. */
export class SessionError extends Error {
  /** The class name, `"SessionError"`, as stack traces show it. */
  override readonly name: string = "SessionError";
  /** A snake_case literal naming what went wrong. */
  readonly code: SessionErrorCode;
  /** Whose problem it is: see {@link ErrorKind}. */
  readonly kind: ErrorKind;

  /**
   * Creates an error; `message` is prefixed with `typed-sessions: ` and should say what to do.
   */
  constructor(code: SessionErrorCode, message: string, options?: { cause?: unknown }) {
    super(`typed-sessions: ${message}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.kind = KINDS[code];
  }
}

/** One problem found by a session's `validate` hook: a dotted `path`, a snake_case `code` and a message. */
export interface ValidationIssue {
  /** Where in the session's values, dotted (`cart.0.qty`); "" for the values as a whole. */
  readonly path: string;
  /** What is wrong, in Zod's words. */
  readonly message: string;
  /** Zod's issue code (`invalid_type`, `too_small`…). */
  readonly code: string;
}

/**
 * Reports authentic session data that does not fit the session's schema (code `invalid_session_data`). Thrown
 * by a `validate` hook (e.g. one derived from a Zod schema); `issues` lists every problem found.
 */
export class SessionValidationError extends SessionError {
  /** The class name, `"SessionValidationError"`. */
  override readonly name: string = "SessionValidationError";
  /** Every problem found, in schema order. */
  readonly issues: readonly ValidationIssue[];

  /** Creates the error; `message` is prefixed with `typed-sessions: `. */
  constructor(message: string, issues: readonly ValidationIssue[], options?: { cause?: unknown }) {
    super("invalid_session_data", message, options);
    this.issues = issues;
  }
}

/** Tells whether `err` is a {@link SessionError}, optionally with one of the given codes. */
export function isSessionError(err: unknown, ...codes: SessionErrorCode[]): err is SessionError {
  return err instanceof SessionError && (codes.length === 0 || codes.includes(err.code));
}

/**
 * Tells whether `err` is a decode error: untrusted input that was refused. These are expected in
 * production (a tampered, expired or foreign cookie) and should lead to a fresh session, not a 500.
 */
export function isDecodeError(err: unknown): err is SessionError {
  return err instanceof SessionError && err.kind === "decode";
}

/** Tells whether `err` is a usage error: a bug in the calling code or configuration. */
export function isUsageError(err: unknown): err is SessionError {
  return err instanceof SessionError && err.kind === "usage";
}
