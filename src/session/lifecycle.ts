// The session lifecycle, in one place: when a session is loaded or reset, written, deleted or refreshed.
// A Session only holds state; stores only encode and persist records; this module decides.
import { SessionError, SessionValidationError, isDecodeError } from "../errors.ts";
import { text } from "../internal/text.ts";
import { type CookieOptions, assertCookieAttributes, assertCookieName, assertSessionMaxAge, resolveCookieOptions, sameCookieOptions } from "../http/cookie-options.ts";
import type { PendingCookie, RequestContext } from "../http/request-context.ts";
import type { LoadedRecord, PreparedWrite, RecordWrite, SessionRecord, Store } from "../stores/store.ts";
import { codecMaxAge } from "../stores/store-options.ts";
import { chunkNames } from "../stores/cookie-chunks.ts";
import { detectChanges, holdsValues, resetChanges } from "./changes.ts";
import { mapOf, objectOf } from "./session-values.ts";
import { report } from "./report.ts";
import type { ViewOwner } from "./tracked-view.ts";
import { CSRF_KEY } from "./csrf.ts";
import { expireCookies, prepareCookies, readCookieValue } from "./session-cookies.ts";
import { type ErrorPhase, type SessionConfig, assertSerializer } from "./session-config.ts";
import { checkSessionCookieLifetime, checkTimeouts, sessionCookieLifetime } from "./timeouts.ts";

/** One session definition bound to a store: fixed for the life of a manager. */
export interface Binding {
  /** The session (cookie) name. */
  readonly name: string;
  readonly store: Store;
  readonly config: SessionConfig;
  /** The cookie attributes sessions of this definition start with (the store's, overridden by the config's); frozen. */
  readonly cookie: Readonly<CookieOptions>;
  /** With a chunking store, the names its chunks may have (`name`, `name.1`, …, one past the cap); else `undefined`. */
  readonly chunkNames: readonly string[] | undefined;
}

/** The state of one session of one request. A `Session` is a view of it; only this module changes metadata. */
export interface SessionState {
  readonly binding: Binding;
  /** The request the session was loaded for: saves set their cookie on it. */
  readonly context: RequestContext;
  /** The server-side id ("" for cookie sessions and before a server session's first save). */
  id: string;
  /** The id whose data the store holds for this session ("" for none): a save of that id updates, any other creates. */
  storedId: string;
  /** What the store read or last wrote for this session (`LoadedRecord.revision`), handed back with an update. */
  revision: string | undefined;
  isNew: boolean;
  values: Map<string, unknown>;
  /**
   * This session's own copy of its cookie attributes, made when the handler first reads them (see
   * {@link cookieOf}); until then the session is sent with `savedCookie`.
   */
  cookie: CookieOptions | undefined;
  /** The attributes as last loaded or saved (frozen), to tell changes. */
  savedCookie: Readonly<CookieOptions>;
  createdAt: number;
  /** The last access, in Unix seconds: the last save, or a later touch its backend reported (`expiresAt`). */
  accessedAt: number;
  /** When the stored data was last written (its signed time), in Unix seconds: a touch leaves it. */
  writtenAt: number;
  /** The backend told when the data expires, so a touch counts as an access (see {@link onlyExpiryMoves}). */
  expiryKnown: boolean;
  dirty: boolean;
  /** Save even a new, empty session (set by `markDirty()` and `regenerate()`). */
  forced: boolean;
  /**
   * Every value is to be written, not only the changed keys: the loaded data was migrated from an older
   * version or repaired, so the stored values are not this session's.
   */
  rewriteAll: boolean;
  destroyed: boolean;
  /**
   * The data was written by a newer version of the definition (a rolling deploy): it is never written back
   * unless the handler changes it, so an older server cannot overwrite what a newer one stored.
   */
  newer: boolean;
  /** Keys set, deleted or changed in place since the session was loaded or saved: what a save checks. */
  changed: Set<string>;
  /** Keys whose object values the handler was handed as they are, with their serialized form then: a save compares (made on first use). */
  snapshots: Map<string, string> | undefined;
  /** The change tracking of each key whose value was handed out as a tracked view (made on first read). */
  owners: Map<string, ViewOwner> | undefined;
  /** Keys holding a default the typed layer put in (not a change of the session until changed in place); made on first use. */
  adopted: Set<string> | undefined;
  /** Keys used as flash lists in this request (`addFlash`, `flashes`, `peekFlashes`), made on first use. */
  flashKeys: Set<string> | undefined;
  /** How many cookies the last save of this request set for the session (chunks); 0 before one, or after a delete. */
  sentChunks: number;
}

/**
 * Binds a definition to a store; throws `invalid_cookie_name` for a name no cookie can have and
 * `invalid_option` for cookie attributes that cannot be written.
 */
export function bind(name: string, store: Store, config: SessionConfig): Binding {
  assertCookieName(name);
  assertSerializer(name, config.serializer);
  // Frozen either way (StoreBase freezes its own; a custom Store's are copied once), so a session's saved
  // attributes are always frozen: formatting keeps their text, and a save knows them checked.
  const own = Object.isFrozen(store.cookie) ? store.cookie : Object.freeze({ ...store.cookie });
  const cookie = config.cookie === undefined ? own : Object.freeze(resolveCookieOptions(config.cookie, store.cookie));
  assertCookieAttributes(name, cookie);
  const chunking = store.chunking;
  return { name, store, config, cookie, chunkNames: chunking === undefined ? undefined : chunkNames(name, chunking.maxChunks) };
}

/**
 * How long a browser-session cookie (maxAge 0) of this definition is accepted after its last save, and its
 * server data kept: `sessionCookieLifetime`, within the store's signed-timestamp limit.
 */
function browserSessionLifetime(binding: Binding): number {
  return sessionCookieLifetime(binding.config, codecMaxAge(binding.store.cookie));
}

function nowOf(binding: Binding): number {
  return Math.floor(binding.store.now());
}

/** Returns the state of a new, empty session. */
export function freshState(binding: Binding, context: RequestContext): SessionState {
  const now = nowOf(binding);
  return {
    binding,
    context,
    id: "",
    storedId: "",
    revision: undefined,
    isNew: true,
    values: new Map(),
    cookie: undefined,
    savedCookie: binding.cookie,
    createdAt: now,
    accessedAt: now,
    writtenAt: now,
    expiryKnown: false,
    dirty: false,
    forced: false,
    rewriteAll: false,
    destroyed: false,
    newer: false,
    changed: new Set(),
    snapshots: undefined,
    owners: undefined,
    adopted: undefined,
    flashKeys: undefined,
    sentChunks: 0,
  };
}

/** Tells what the loaded data's version means for this definition: older data is re-saved, newer data kept. */
function versionStatus(config: SessionConfig, record: LoadedRecord): "same" | "older" | "newer" {
  if (config.version === undefined) return "same";
  const stored = record.version ?? 1;
  return stored === config.version ? "same" : stored < config.version ? "older" : "newer";
}

function loadedState(
  binding: Binding,
  context: RequestContext,
  record: LoadedRecord,
  accessedAt: number,
  values: Record<string, unknown>,
  repaired: SessionValidationError | undefined,
): SessionState {
  const status = versionStatus(binding.config, record);
  const own = record.maxAge === undefined || record.maxAge === binding.cookie.maxAge;
  const cookie = own ? binding.cookie : Object.freeze({ ...binding.cookie, maxAge: record.maxAge as number });
  return {
    binding,
    context,
    id: record.id,
    storedId: record.id,
    revision: record.revision,
    isNew: false,
    values: mapOf(values),
    cookie: undefined,
    savedCookie: cookie,
    createdAt: record.createdAt,
    accessedAt,
    writtenAt: record.accessedAt,
    expiryKnown: record.expiresAt !== undefined,
    // Re-saved when an older key verified it (re-issued with the newest), when it was migrated from an older
    // version or repaired; never when a newer version wrote it (see `newer`).
    dirty: status !== "newer" && (record.stale || status === "older" || repaired !== undefined),
    forced: false,
    rewriteAll: status === "older" || (status !== "newer" && repaired !== undefined),
    destroyed: false,
    newer: status === "newer",
    changed: new Set(),
    snapshots: undefined,
    owners: undefined,
    adopted: undefined,
    flashKeys: undefined,
    sentChunks: 0,
  };
}

/**
 * The one reset path: reports `err` to the store's and the definition's `onError` and returns a fresh
 * session. Only decode errors and (with `onInvalid: "reset"`) validation errors get here.
 */
function reset(binding: Binding, context: RequestContext, err: SessionError, phase: ErrorPhase): SessionState {
  report([binding.store.onError, binding.config.onError], err, { name: binding.name, phase });
  return freshState(binding, context);
}

/**
 * Loads the session the request's cookie carries: decoded by the store, checked against the timeouts and
 * the definition's `validate`. Untrusted, expired or invalid data gives a fresh session (reported);
 * `store_unavailable` and, with `onInvalid: "throw"`, validation errors are thrown. Answers at once when
 * the store does (node:crypto's cookie store), with a promise when its load is one (server stores, WebCrypto);
 * throws either way only what it would reject with.
 */
export function loadState<T>(binding: Binding, context: RequestContext, done: (state: SessionState) => T): T | Promise<T> {
  let value: string | undefined;
  try {
    value = readCookieValue(binding, context);
  } catch (err) {
    return done(loadFailed(binding, context, err));
  }
  if (value === undefined) return done(freshState(binding, context));
  let loaded: LoadedRecord | Promise<LoadedRecord>;
  try {
    loaded = binding.store.load(binding.name, value, binding.config);
  } catch (err) {
    return done(loadFailed(binding, context, err));
  }
  return loaded instanceof Promise
    ? loaded.then(
        (record) => done(checkedState(binding, context, record)),
        (err: unknown) => done(loadFailed(binding, context, err)),
      )
    : done(checkedState(binding, context, loaded));
}

/** A load's decode errors reset the session (reported); anything else (`store_unavailable`…) is thrown. */
function loadFailed(binding: Binding, context: RequestContext, err: unknown): SessionState {
  if (!isDecodeError(err)) throw err;
  return reset(binding, context, err, err.code === "session_timeout" ? "timeout" : "decode");
}

/** The state of a record the store decoded: its timeouts checked, then the definition's `validate`. */
function checkedState(binding: Binding, context: RequestContext, record: LoadedRecord): SessionState {
  const { name, store, config } = binding;
  let accessedAt: number;
  try {
    const now = store.now();
    accessedAt = lastAccess(binding, record, now);
    const checked = accessedAt === record.accessedAt ? record : { ...record, accessedAt };
    checkTimeouts(name, config, checked, now);
    if ((record.maxAge ?? binding.cookie.maxAge) === 0) checkSessionCookieLifetime(name, browserSessionLifetime(binding), checked, now);
  } catch (err) {
    return loadFailed(binding, context, err);
  }
  if (config.validate === undefined) return loadedState(binding, context, record, accessedAt, record.values, undefined);
  let values: Record<string, unknown>;
  let repaired: SessionValidationError | undefined;
  try {
    values = config.validate(record.values, {
      version: record.version,
      repaired: (err) => {
        repaired = err;
      },
    });
  } catch (cause) {
    if (config.onInvalid === "throw") throw cause;
    const err =
      cause instanceof SessionError
        ? cause
        : new SessionValidationError(`the data of session "${name}" failed validation; a fresh session was started.`, [], { cause });
    return reset(binding, context, err, "validate");
  }
  if (repaired !== undefined) report([store.onError, config.onError], repaired, { name, phase: "validate" });
  return loadedState(binding, context, record, accessedAt, values, repaired);
}

/**
 * When the session loaded as `record` was last accessed: its last save, or a later touch (which moved the
 * data's expiry to the touch time plus the time to live a save of this session gives it). Never in the future.
 */
function lastAccess(binding: Binding, record: LoadedRecord, now: number): number {
  if (record.expiresAt === undefined || !Number.isFinite(record.expiresAt)) return record.accessedAt;
  const maxAge = record.maxAge ?? binding.cookie.maxAge;
  const touched = Math.floor(record.expiresAt - (maxAge > 0 ? maxAge : browserSessionLifetime(binding)));
  return Math.max(record.accessedAt, Math.min(Math.floor(now), touched));
}

/** Returns the session's own cookie attributes, copying them on first use, for the handler to change. */
export function cookieOf(state: SessionState): CookieOptions {
  return (state.cookie ??= { ...state.savedCookie });
}

/** The attributes the session is sent with: its own copy when it has one, else the frozen ones it loaded with. */
function currentCookie(state: SessionState): Readonly<CookieOptions> {
  return state.cookie ?? state.savedCookie;
}

/**
 * True when values (set, deleted or changed in place) or cookie attributes changed since the session was
 * loaded or saved.
 */
export function isDirty(state: SessionState): boolean {
  detectChanges(state);
  return state.dirty || (state.cookie !== undefined && !sameCookieOptions(state.cookie, state.savedCookie));
}

/**
 * Tells whether a save must write. A new session is written only once it holds a value (or after
 * `markDirty()` / `regenerate()`, or with `saveUninitialized`): visitors who store nothing get no cookie
 * and no server data. A loaded session is written when its values (in place too) or cookie attributes
 * changed, with `rolling`, or when an idle timeout or a browser-session cookie's `sessionCookieLifetime`
 * needs refreshing (once a tenth of the shorter has passed) — except data a newer version of the definition
 * wrote, which is written only when the handler changed it (a rolling deploy's old server keeps it intact).
 */
export function needsSave(state: SessionState, now: number): boolean {
  const { config } = state.binding;
  if (state.isNew) {
    detectChanges(state);
    return state.forced || holdsValues(state) || config.saveUninitialized === true;
  }
  if (isDirty(state)) return true;
  if (state.newer) return false;
  if (config.rolling === true) return true;
  const idle = config.idleTimeout ?? 0;
  const browser = currentCookie(state).maxAge === 0 ? browserSessionLifetime(state.binding) : 0;
  const bound = idle > 0 && browser > 0 ? Math.min(idle, browser) : Math.max(idle, browser);
  return bound > 0 && now - state.accessedAt >= Math.max(1, bound / 10);
}

function markSaved(state: SessionState, now: number): void {
  state.isNew = false;
  state.dirty = false;
  state.forced = false;
  state.rewriteAll = false;
  state.newer = false;
  resetChanges(state);
  state.accessedAt = now;
  if (state.cookie !== undefined && !sameCookieOptions(state.cookie, state.savedCookie)) state.savedCookie = Object.freeze({ ...state.cookie });
}

function sessionDestroyed(name: string): SessionError {
  return new SessionError(
    "session_destroyed",
    `session "${name}" was destroyed in this request and cannot be saved again; use regenerate() to start over.`,
  );
}

function recordOf(state: SessionState, now: number): SessionRecord {
  const maxAge = currentCookie(state).maxAge;
  return {
    values: objectOf(state.values),
    createdAt: state.createdAt,
    accessedAt: now,
    maxAge: maxAge >= 0 && maxAge !== state.binding.cookie.maxAge ? maxAge : undefined,
    version: state.binding.config.version,
  };
}

/** The attributes with `secure: "auto"` resolved to `Secure` and not, per frozen object (formatting caches frozen ones). */
const resolvedAuto = new WeakMap<object, readonly [Readonly<CookieOptions>, Readonly<CookieOptions>]>();

/**
 * Returns the attributes a cookie is sent with on this request: `secure: "auto"` becomes `Secure` when the
 * request came over HTTPS (as the request context tells, trusting `X-Forwarded-Proto` with the store's
 * `trustProxy`), and stays `Secure` when the context cannot tell. Checks changed attributes against the name first.
 */
function sendAttributes(state: SessionState, cookie: Readonly<CookieOptions>): Readonly<CookieOptions> {
  const { name, store } = state.binding;
  // The attributes the session was loaded or last saved with are checked already (the definition's by bind,
  // a loaded maxAge on decode, a handler's copy before its save froze it): only other ones need checking.
  const checked = cookie === state.savedCookie;
  if (!checked) assertCookieAttributes(name, cookie);
  if (cookie.secure !== "auto") return cookie;
  const secure = state.context.isSecure?.(store.trustProxy === true) ?? true;
  if (!checked) return { ...cookie, secure };
  let pair = resolvedAuto.get(cookie);
  if (pair === undefined) {
    pair = [Object.freeze({ ...cookie, secure: false }), Object.freeze({ ...cookie, secure: true })];
    resolvedAuto.set(cookie, pair);
  }
  return pair[secure ? 1 : 0];
}

/** Throws `cookie_too_large` when `header` is over `limit` bytes (0 = no limit). */
function checkSize(name: string, header: string, limit: number): void {
  if (limit <= 0 || header.length <= limit / 3) return; // a UTF-16 unit is at most 3 UTF-8 bytes
  const size = text.utf8Length(header);
  if (size > limit) {
    throw new SessionError(
      "cookie_too_large",
      `the Set-Cookie header of session "${name}" would be ${size} bytes, over the ${limit}-byte limit browsers keep; store less in it, use a server-side store (FilesystemStore, RedisStore), or raise maxLength.`,
    );
  }
}

/**
 * Checks the changed values (`validateChanges`), encodes and writes the session, then sets its cookie:
 * everything that could stop the cookie (invalid data, headers already sent, attributes that cannot be
 * written, the size) is checked before the store's data changes,
 * and a write whose data was gone (destroyed meanwhile) sets no cookie.
 */
function write(state: SessionState, now: number, replacing?: string): Promise<void> {
  try {
    const { name, store, config } = state.binding;
    detectChanges(state);
    if (config.validateChanges !== undefined && state.changed.size > 0) config.validateChanges(state.values, state.changed);
    const cookie = currentCookie(state);
    if (cookie !== state.savedCookie) assertSessionMaxAge(name, cookie.maxAge); // see sendAttributes
    const update = replacing === undefined && state.storedId !== "" && state.storedId === state.id;
    const write: RecordWrite = {
      name,
      id: state.id,
      record: recordOf(state, now),
      config,
      cookie,
      ttl: cookie.maxAge > 0 ? cookie.maxAge : browserSessionLifetime(state.binding),
      mode: update ? "update" : "create",
      replacing,
      // What an update changed (a migrated or repaired session rewrites every key), for stores that merge.
      changed: update && !state.rewriteAll ? state.changed : undefined,
      revision: update ? state.revision : undefined,
      flashKeys: state.flashKeys,
    };
    // Promises only from a store that is asynchronous (a server store's commit, WebCrypto's codec): on
    // node:crypto's cookie store the whole save runs at once and costs one settled promise.
    const touching = update && onlyExpiryMoves(state, now) ? store.touch?.(write) : undefined;
    return touching instanceof Promise
      ? touching.then((touch) => writePrepared(state, now, write, touch))
      : writePrepared(state, now, write, touching);
  } catch (err) {
    return Promise.reject(err);
  }
}

/** {@link write} once a touch answered (`undefined`: none, or the store has none): prepares the data unless touched. */
function writePrepared(state: SessionState, now: number, write: RecordWrite, touch: PreparedWrite | undefined): Promise<void> {
  const preparing = touch ?? state.binding.store.prepare(write);
  return preparing instanceof Promise
    ? preparing.then((prepared) => commitWrite(state, now, write.cookie, touch, prepared))
    : commitWrite(state, now, write.cookie, touch, preparing);
}

/** {@link write}'s end: formats and checks the cookie, writes the server data, then sets the cookie. */
function commitWrite(
  state: SessionState,
  now: number,
  cookie: Readonly<CookieOptions>,
  touch: PreparedWrite | undefined,
  prepared: PreparedWrite,
): Promise<void> {
  const { store, config } = state.binding;
  // A touch re-sends the cookie only when its own expiry moves (rolling), or to renew its signed time.
  const resend = touch === undefined || config.rolling === true || now - state.writtenAt >= codecMaxAge(store.cookie) / 2;
  const pending = resend ? prepareCookies(state, prepared.cookieValue, sendAttributes(state, cookie), checkSize) : undefined;
  if (prepared.commit === undefined) {
    finishWrite(state, now, touch, prepared, pending); // no closure on a cookie store's save
    return SETTLED;
  }
  // Promise.resolve hands a native promise back as it is, and adopts a store's boolean or thenable as `await` did.
  return Promise.resolve(prepared.commit()).then((written) => {
    if (written) finishWrite(state, now, touch, prepared, pending);
  });
}

/** {@link commitWrite} once the data is written (or there was none to write): sets the cookie, marks the session saved. */
function finishWrite(state: SessionState, now: number, touch: PreparedWrite | undefined, prepared: PreparedWrite, pending: PendingCookie | undefined): void {
  state.storedId = state.id;
  state.revision = prepared.revision?.();
  pending?.commit();
  if (touch === undefined) state.writtenAt = now;
  markSaved(state, now);
}

/** The promise of a save that finished at once. */
const SETTLED: Promise<void> = Promise.resolve();

/**
 * Tells whether a save of a loaded session would only move its expiry (a `rolling` refresh, or one for an
 * idle timeout or a browser-session cookie's `sessionCookieLifetime`), so a store may touch the data instead
 * of rewriting it: nothing changed; a check that measures idleness (an idle timeout, a browser-session
 * cookie) can read the touch back, from the expiry the backend reported on load (without `readWithExpiry`
 * such refreshes rewrite the data, at most once a tenth of the bound); and the data was written less than
 * the codec's signed-timestamp limit ago (server data carries a signed timestamp too, accepted for twice
 * that limit: a rewrite once per limit keeps data that is only ever touched verifiable until its cookie expires).
 */
function onlyExpiryMoves(state: SessionState, now: number): boolean {
  return (
    !isDirty(state) &&
    !state.rewriteAll &&
    (state.expiryKnown || ((state.binding.config.idleTimeout ?? 0) <= 0 && currentCookie(state).maxAge > 0)) &&
    now - state.writtenAt < codecMaxAge(state.binding.store.cookie)
  );
}

/** Deletes the session's server data (if any) and expires its cookie. */
async function remove(state: SessionState, now: number): Promise<void> {
  const { name, store } = state.binding;
  const attributes = sendAttributes(state, { ...currentCookie(state), maxAge: -1 });
  if (state.id !== "" && store.remove !== undefined) await store.remove(name, state.id);
  state.storedId = "";
  expireCookies(state, attributes);
  markSaved(state, now);
}

/**
 * Saves the session: skipped when {@link needsSave} says so; a cookie `maxAge` < 0 deletes it instead.
 * Throws `session_destroyed` after a destroy, and `invalid_option` for a cookie `maxAge` that is not a whole
 * number of seconds up to 400 days (nothing is written: a stored session never holds one).
 */
export function saveState(state: SessionState): Promise<void> {
  try {
    if (state.destroyed) throw sessionDestroyed(state.binding.name);
    const now = nowOf(state.binding);
    if (currentCookie(state).maxAge < 0) return remove(state, now);
    if (!needsSave(state, now)) return SETTLED;
    const { store } = state.binding;
    if (state.id === "" && store.newId !== undefined) state.id = store.newId();
    return write(state, now);
  } catch (err) {
    return Promise.reject(err);
  }
}

/** Deletes the session's data and expires its cookie; later saves in this request throw. */
export async function destroyState(state: SessionState): Promise<void> {
  if (state.destroyed) return;
  state.values.clear();
  await remove(state, nowOf(state.binding));
  state.destroyed = true;
}

/**
 * Moves the session to a new id (server stores), keeping its values, deleting the old data, and saves it;
 * a cookie session is re-saved. Either way it starts a new `createdAt`: the absolute timeout counts from the
 * regenerate (the login), not from the visit before it. A failed move keeps the old id and creation time, so
 * a retry finds the data where it is. The CSRF token (`_csrf`) is dropped, as Rails does at login: a token
 * rendered before the privilege change cannot be replayed after it; `csrfToken()` issues a new one.
 */
export async function regenerateState(state: SessionState): Promise<void> {
  if (state.destroyed) throw sessionDestroyed(state.binding.name);
  state.values.delete(CSRF_KEY);
  const { store } = state.binding;
  const now = nowOf(state.binding);
  const old = { id: state.id, createdAt: state.createdAt };
  state.dirty = true;
  state.forced = true;
  state.createdAt = now;
  try {
    if (store.newId === undefined) return await saveState(state);
    state.id = store.newId();
    await write(state, now, state.storedId === "" ? undefined : state.storedId);
  } catch (err) {
    state.id = old.id;
    state.createdAt = old.createdAt;
    throw err;
  }
}
