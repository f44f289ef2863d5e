import { SessionError } from "../errors.ts";
import type { CookieOptions } from "../http/cookie-options.ts";
import type { RequestContext } from "../http/request-context.ts";
import { adoptValue, noteAllChanged, noteChange, noteReadAll, readValue } from "./changes.ts";
import { type SessionState, cookieOf, destroyState, isDirty, regenerateState, saveState } from "./lifecycle.ts";
import { DEFAULT_FLASH_KEY, type Session } from "./session.ts";
import { unwrap } from "./tracked-view.ts";
import { asBoolean, asInt, asNumber, asString, counterValue, objectOf, readTyped } from "./session-values.ts";

let stateOf: (session: SessionObject) => SessionState;

/**
 * Puts `value` under `key` of `session` without changing the session (a typed field's default, read before
 * anything was stored) and returns what to hand out for it: changed in place, it is saved like any value.
 * Other `Session`s get nothing put in and the value back.
 */
export function adoptDefault(session: Session, key: string, value: unknown): unknown {
  return session instanceof SessionObject ? adoptValue(stateOf(session), key, value) : value;
}

/** The {@link Session} a manager hands out: a view of one session's lifecycle state. */
export class SessionObject implements Session {
  readonly #state: SessionState;

  static {
    stateOf = (session) => session.#state;
  }

  /** Wraps lifecycle state; managers create sessions, handlers get them from `manager.get(…)`. */
  constructor(state: SessionState) {
    this.#state = state;
  }

  /** The session (cookie) name. */
  get name(): string {
    return this.#state.binding.name;
  }

  /** The server-side id ("" for cookie sessions, and for server sessions not saved yet). */
  get id(): string {
    return this.#state.id;
  }

  /** True until the session has been saved, when it was not loaded from the request. */
  get isNew(): boolean {
    return this.#state.isNew;
  }

  /** This session's cookie attributes: a copy of its store's, free to change per session (`cookie.maxAge = 0`). */
  get cookie(): CookieOptions {
    return cookieOf(this.#state);
  }

  /**
   * Returns the value under `key`, or `undefined`. A plain object or array comes as a tracked view (a Proxy)
   * of the stored value: changing it in place is saved like a `set`.
   */
  get(key: string): unknown {
    const value = this.#state.values.get(key);
    return typeof value === "object" && value !== null ? readValue(this.#state, key, value) : value;
  }

  /** Stores `value` under `key` (`undefined` deletes it) and marks the session changed. */
  set(key: string, value: unknown): this {
    if (value === undefined) {
      this.delete(key);
      return this;
    }
    this.#state.values.set(key, unwrap(value));
    noteChange(this.#state, key);
    return this;
  }

  /** Tells whether a value is stored under `key`. */
  has(key: string): boolean {
    return this.#state.values.has(key);
  }

  /** Deletes the value under `key`; returns whether there was one. */
  delete(key: string): boolean {
    const had = this.#state.values.delete(key);
    if (had) noteChange(this.#state, key);
    return had;
  }

  /** Deletes every value (flashes included); the session and its id stay. */
  clear(): void {
    for (const key of this.#state.values.keys()) noteChange(this.#state, key);
    this.#state.values.clear();
  }

  /** Returns the stored keys, in insertion order. */
  keys(): string[] {
    return [...this.#state.values.keys()];
  }

  /** Returns a shallow copy of every value (flash keys included, metadata excluded); objects in it changed in place are saved. */
  values(): Record<string, unknown> {
    noteReadAll(this.#state);
    return objectOf(this.#state.values);
  }

  /** Returns the values, so `JSON.stringify(session)` shows them. */
  toJSON(): Record<string, unknown> {
    return this.values();
  }

  /** Returns the string under `key`; missing gives `fallback`, a non-string gives `fallback` or throws `wrong_value_type`. */
  getString(key: string): string | undefined;
  getString(key: string, fallback: string): string;
  getString(key: string, ...fallback: [string?]): string | undefined {
    return readTyped(this.name, key, this.get(key), "a string", asString, fallback[0], fallback.length > 0);
  }

  /** Returns the safe integer under `key` (integer strings like "42" too); otherwise as {@link SessionObject.getString}. Never NaN. */
  getInt(key: string): number | undefined;
  getInt(key: string, fallback: number): number;
  getInt(key: string, ...fallback: [number?]): number | undefined {
    return readTyped(this.name, key, this.get(key), "an integer", asInt, fallback[0], fallback.length > 0);
  }

  /** Returns the finite number under `key` (decimal strings too); otherwise as {@link SessionObject.getString}. Never NaN. */
  getNumber(key: string): number | undefined;
  getNumber(key: string, fallback: number): number;
  getNumber(key: string, ...fallback: [number?]): number | undefined {
    return readTyped(this.name, key, this.get(key), "a number", asNumber, fallback[0], fallback.length > 0);
  }

  /** Returns the boolean under `key` ("true"/"false" too); otherwise as {@link SessionObject.getString}. */
  getBoolean(key: string): boolean | undefined;
  getBoolean(key: string, fallback: boolean): boolean;
  getBoolean(key: string, ...fallback: [boolean?]): boolean | undefined {
    return readTyped(this.name, key, this.get(key), "a boolean", asBoolean, fallback[0], fallback.length > 0);
  }

  /** Adds `by` to the number under `key` (missing counts as 0) and returns the result; throws `wrong_value_type` for a non-number. */
  increment(key: string, by = 1): number {
    const next = counterValue(this.name, key, this.get(key)) + by;
    this.set(key, next);
    return next;
  }

  /** Subtracts `by` from the number under `key` (missing counts as 0) and returns the result. */
  decrement(key: string, by = 1): number {
    return this.increment(key, -by);
  }

  /** Adds a flash message under `key`, to be read once by {@link Session.flashes}. */
  addFlash(value: unknown, key: string = DEFAULT_FLASH_KEY): void {
    (this.#state.flashKeys ??= new Set()).add(key);
    const current = this.#state.values.get(key);
    this.set(key, Array.isArray(current) ? [...current, value] : [value]);
  }

  /** Returns the flash messages under `key` and removes them (read once); `[]` when none. */
  flashes(key: string = DEFAULT_FLASH_KEY): unknown[] {
    (this.#state.flashKeys ??= new Set()).add(key);
    const current = this.#state.values.get(key);
    if (current === undefined) return [];
    this.delete(key);
    return Array.isArray(current) ? current : [current];
  }

  /** Returns the flash messages under `key` without removing them. */
  peekFlashes(key: string = DEFAULT_FLASH_KEY): unknown[] {
    const current = this.#state.values.get(key);
    if (current === undefined) return [];
    noteReadAll(this.#state, [key]);
    return Array.isArray(current) ? [...current] : [current];
  }

  /**
   * Saves the session and sets its cookie on the request it was loaded for; skipped when nothing changed
   * (unless rolling), and for a new session until something is stored in it (no cookie, no server data for
   * empty visitors). Throws `session_destroyed` after {@link Session.destroy}.
   * @param context optional, the seed's `session.save(ctx)`: must be the session's own request context
   */
  save(context?: RequestContext): Promise<void> {
    return this.#check(context) ?? saveState(this.#state);
  }

  /** Deletes the session's server data and expires its cookie; later saves in this request throw. */
  destroy(context?: RequestContext): Promise<void> {
    return this.#check(context) ?? destroyState(this.#state);
  }

  /**
   * Moves the session to a new id, keeping its values and deleting the old server data, and saves it: call
   * it when privileges change (login) to defeat session fixation.
   */
  regenerate(context?: RequestContext): Promise<void> {
    return this.#check(context) ?? regenerateState(this.#state);
  }

  /**
   * Marks the session changed, so the next save writes it (changes in place are found without it; this
   * forces a write, and the save checks every value). On a new session it also asks for the session to be
   * saved even with no values (which `save` otherwise skips).
   */
  markDirty(): void {
    noteAllChanged(this.#state);
    this.#state.dirty = true;
    this.#state.forced = true;
  }

  /** True when values or cookie attributes changed since the session was loaded or saved. */
  get isDirty(): boolean {
    return isDirty(this.#state);
  }

  /** True after {@link Session.destroy}. */
  get isDestroyed(): boolean {
    return this.#state.destroyed;
  }

  /** When the session was created, in Unix seconds (the start of its absolute timeout). */
  get createdAt(): number {
    return this.#state.createdAt;
  }

  /** When the session was last saved, in Unix seconds (the start of its idle timeout). */
  get accessedAt(): number {
    return this.#state.accessedAt;
  }

  /** Refuses a context of another request (a rejected promise), accepts none or the session's own. */
  #check(context: RequestContext | undefined): Promise<never> | undefined {
    const own = this.#state.context;
    if (context === undefined || context === own || context.request === own.request) return undefined;
    return Promise.reject(
      new SessionError(
        "wrong_context",
        `session "${this.name}" was passed the context of another request; call save(), destroy() and regenerate() with no argument (the session remembers its request).`,
      ),
    );
  }
}
