import type { Serializer } from "../serializers/serializers.ts";
import { SessionError, type SessionValidationError } from "../errors.ts";
import type { CookieOptions } from "../http/cookie-options.ts";

/** Where a reported error happened: reading the cookie or stored data, a timeout, the `validate` hook, or a cleanup sweep. */
export type ErrorPhase = "decode" | "timeout" | "validate" | "cleanup";

/** What an `onError` hook is told besides the error. */
export interface ErrorInfo {
  /** The session (cookie) name. */
  readonly name: string;
  /** Where it happened. */
  readonly phase: ErrorPhase;
}

/**
 * Called for every error that was turned into a fresh session (tampered, expired, foreign or corrupt data,
 * timeouts, invalid data with `onInvalid: "reset"`). Log it; do not throw from it.
 */
export type ErrorHook = (err: SessionError, info: ErrorInfo) => void;

/** What a `validate` hook is told besides the values. */
export interface ValidateInfo {
  /** The data version stored with the values; `undefined` for data written without one (read it as version 1). */
  readonly version: number | undefined;
  /**
   * Reports that the values were repaired (fields reset to their defaults or dropped): the error goes to
   * `onError` (phase `"validate"`) and the repaired session is saved at the end of the request.
   */
  repaired(err: SessionValidationError): void;
}

/**
 * How one session definition reads and writes its values, independent of the store it lives in.
 * Stores use it when they load and save; `sessions(name, store, config)` passes it along.
 */
export interface SessionConfig {
  /**
   * Turns the session's values into bytes and back (inside the codec's signature and encryption):
   * `"superjson"` keeps Dates, Maps, Sets and BigInts; `"json"` is plain JSON (what Go's gorilla
   * `JSONEncoder` reads); or a {@link Serializer} of your own.
   * @default "superjson"
   */
  serializer?: Serializer | "json" | "superjson" | undefined;
  /**
   * Checks (and may transform, e.g. apply defaults to) values right after they are decoded, before the
   * handler sees them; not called for new sessions. Receives every stored value, flash keys included, and
   * returns the values to use. Throw (preferably a `SessionValidationError`) to refuse them; what happens
   * then is decided by `onInvalid`. Generated typed sessions pass their Zod schema's parse here.
   */
  validate?: ((values: Record<string, unknown>, info: ValidateInfo) => Record<string, unknown>) | undefined;
  /**
   * What to do when `validate` throws: `"reset"` starts a fresh session and reports the error through
   * `onError`; `"throw"` rethrows it from `get`. `"repair"` tells a hook that can repair data to do so
   * (typed sessions' does; see {@link ValidateInfo.repaired}); what it still throws resets the session.
   * @default "reset"
   */
  onInvalid?: "repair" | "reset" | "throw" | undefined;
  /**
   * The version of the values' shape this definition writes, stored with them (typed sessions: the
   * definition's `version`). Data stored with a newer version (a newer server wrote it during a rolling
   * deploy) is never rewritten by this one unless the handler changes it; data with an older version is
   * saved again in this one. @default undefined (written without a version)
   */
  version?: number | undefined;
  /**
   * Checks the values a save is about to write, given the keys changed since the session was loaded or
   * last saved (set, deleted, or changed in place); throw a `SessionValidationError` to refuse the save:
   * nothing is then written or sent. Typed sessions pass their schema's check here.
   */
  validateChanges?: ((values: ReadonlyMap<string, unknown>, changed: ReadonlySet<string>) => void) | undefined;
  /**
   * Ties the session to a user, for a server store's `destroyAll(userKey)` ("log out everywhere"): given the
   * values a save writes, returns the user's key (their id, up to 1024 characters; it is hashed, never
   * stored), or `undefined` while no one is logged in. Every save of a session with a key keeps it in that
   * user's index; `destroy`, `regenerate` and a change of user update it. Called on each save and load:
   * keep it pure and cheap. A bad key (empty, too long, not a string) fails the save with `invalid_user_key`.
   * Cookie stores ignore it. @default undefined (no index)
   * @example userKey: (values) => values["userId"] as string | undefined
   */
  userKey?: ((values: Readonly<Record<string, unknown>>) => string | undefined) | undefined;
  /** Reports errors that were turned into a fresh session (in addition to the store's own `onError`). */
  onError?: ErrorHook | undefined;
  /** Overrides the store's default cookie attributes for this session. */
  cookie?: Partial<CookieOptions> | undefined;
  /**
   * Ends a session not accessed for this many seconds (checked on read); 0 = off. While it is on, an unchanged
   * session is refreshed once a tenth of it has passed, so active users stay in: by a touch of its expiry on
   * server stores whose backend can read it back (`readWithExpiry`: memory, files, Redis), else by a re-save.
   * @default 0
   */
  idleTimeout?: number | undefined;
  /**
   * Ends a session this many seconds after it was created or last regenerated (login), however active
   * (checked on read); 0 = off. The default, 30 days, is the default cookie maxAge: a session that merely
   * follows its cookie never reaches it, while one kept alive by `rolling`, the idle refresh or a stolen
   * cookie in use must log in again after a month. Raise it with a longer "remember me" maxAge.
   * @default 2592000 (30 days)
   */
  absoluteTimeout?: number | undefined;
  /**
   * How long, in seconds, the server accepts a session with a browser-session cookie (`maxAge` 0) after its
   * last save, and how long a server store keeps its data. Browsers that restore tabs keep such cookies
   * across restarts for as long as they like, so without a bound one would be good until the store's
   * signed-timestamp limit (its maxAge, or 30 days). An unchanged session is refreshed once a tenth of it has
   * passed (as for `idleTimeout`), so active users stay in. The default, one day, outlasts a working day and the night after it,
   * yet keeps a forgotten or copied browser-session cookie from working for weeks. 0 = only the store's
   * limit; the store's limit also caps a longer value.
   * @default 86400 (1 day)
   */
  sessionCookieLifetime?: number | undefined;
  /**
   * What a save of a server-side session does when another request saved the same session since this one
   * loaded it and both changed the same key: `"overwrite"` (last writer wins, for that key only: keys only
   * the other request changed are kept either way) or `"error"` (the save rejects with `session_conflict`
   * and writes nothing: reload and retry). @default "overwrite"
   */
  onConflict?: "overwrite" | "error" | undefined;
  /** Re-saves (and re-sends) a loaded session on every `save`, changed or not, sliding its expiry. @default false */
  rolling?: boolean | undefined;
  /**
   * Saves a new session on `save` even when it holds no values (express-session's `saveUninitialized`):
   * a cookie and server data for every visitor, crawlers included. Off, a new session is saved only once
   * something is stored in it (or after `markDirty()` / `regenerate()`). @default false
   */
  saveUninitialized?: boolean | undefined;
}

/** Throws `invalid_option` for a `serializer` that is neither a known name nor an object that serializes. */
export function assertSerializer(name: string, serializer: SessionConfig["serializer"]): void {
  if (serializer === undefined || serializer === "json" || serializer === "superjson") return;
  const ok = typeof serializer === "object" && serializer !== null && typeof serializer.serialize === "function" && typeof serializer.deserialize === "function";
  if (!ok) {
    throw new SessionError(
      "invalid_option",
      `session "${name}": serializer must be "json", "superjson" or an object with serialize and deserialize methods, got ${typeof serializer === "string" ? JSON.stringify(serializer) : typeof serializer}.`,
    );
  }
}
