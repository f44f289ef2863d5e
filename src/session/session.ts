import { SessionError } from "../errors.ts";
import type { RequestContext } from "../http/context.ts";
import { type CookieOptions, sameCookieOptions } from "../http/cookie-options.ts";
import type { SessionConfig } from "./session-config.ts";
import { asBoolean, asInt, asNumber, asString, counterValue, readTyped } from "./session-values.ts";
import type { Store } from "../stores/store.ts";

/** The key flashes live under when none is given (gorilla's `_flash`). */
export const DEFAULT_FLASH_KEY = "_flash";

/** What a store gives {@link Session}'s constructor. */
export interface SessionInit {
  /** The server-side id ("" for cookie sessions and before a server store's first save). @default "" */
  id?: string | undefined;
  /** The stored values (copied). @default {} */
  values?: Record<string, unknown> | undefined;
  /** This session's own cookie options (copied). */
  options: CookieOptions;
  /** The session definition's config. @default {} */
  config?: SessionConfig | undefined;
  /** True when nothing was loaded from the request. */
  isNew: boolean;
  /** When the session was created, in Unix seconds. */
  createdAt: number;
  /** When the session was last saved, in Unix seconds. */
  accessedAt: number;
}

/**
 * One named session of one request: its values, flashes, cookie options and dirty state. Get it from
 * `sessions(name, store).get(ctx)`; persist it with `save(ctx)`. Values must be serializable by the
 * session's serializer (superjson by default: JSON plus Dates, Maps, Sets, BigInts). Changes made inside a
 * stored object (`session.get("cart").push(x)`) are not seen: call `set` again or `markDirty()`.
 */
export class Session {
  /** The cookie name. */
  readonly name: string;
  /** The store that loads and saves this session. */
  readonly store: Store;
  /** The session definition's config (serializer, validate, timeouts). */
  readonly config: SessionConfig;
  /** The server-side id ("" for cookie sessions, and for server sessions not yet saved). */
  id: string;
  /** True until the session has been saved, when it was not loaded from the request. */
  isNew: boolean;
  /** This session's cookie options: a copy of the store's defaults, free to change per session. */
  options: CookieOptions;
  #values: Map<string, unknown>;
  #createdAt: number;
  #accessedAt: number;
  #dirty = false;
  /** Set by {@link Session.markDirty} and {@link Session.regenerate}: save even a new, empty session. */
  #forced = false;
  #destroyed = false;
  /** The options as last loaded or saved, to tell option changes (compared field by field). */
  #savedOptions: CookieOptions;

  /** Creates a session; stores call this, handlers get sessions from `sessions(...).get(ctx)`. */
  constructor(store: Store, name: string, init: SessionInit) {
    this.store = store;
    this.name = name;
    this.config = init.config ?? {};
    this.id = init.id ?? "";
    this.isNew = init.isNew;
    this.options = { ...init.options };
    this.#values = init.values === undefined ? new Map() : new Map(Object.entries(init.values));
    this.#createdAt = init.createdAt;
    this.#accessedAt = init.accessedAt;
    this.#savedOptions = { ...init.options };
  }

  /** Returns the value under `key`, or `undefined`. */
  get(key: string): unknown {
    return this.#values.get(key);
  }

  /** Stores `value` under `key` (`undefined` deletes it) and marks the session changed. */
  set(key: string, value: unknown): this {
    if (value === undefined) {
      this.delete(key);
      return this;
    }
    this.#values.set(key, value);
    this.#dirty = true;
    return this;
  }

  /** Tells whether a value is stored under `key`. */
  has(key: string): boolean {
    return this.#values.has(key);
  }

  /** Deletes the value under `key`; returns whether there was one. */
  delete(key: string): boolean {
    const had = this.#values.delete(key);
    if (had) this.#dirty = true;
    return had;
  }

  /** Deletes every value (flashes included); the session and its id stay. */
  clear(): void {
    if (this.#values.size > 0) this.#dirty = true;
    this.#values.clear();
  }

  /** Returns the stored keys, in insertion order. */
  keys(): string[] {
    return [...this.#values.keys()];
  }

  /** Returns a shallow copy of every value (flash keys included, metadata excluded). */
  values(): Record<string, unknown> {
    return Object.fromEntries(this.#values);
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

  /** Returns the safe integer under `key` (integer strings like "42" too); otherwise as {@link Session.getString}. Never NaN. */
  getInt(key: string): number | undefined;
  getInt(key: string, fallback: number): number;
  getInt(key: string, ...fallback: [number?]): number | undefined {
    return readTyped(this.name, key, this.get(key), "an integer", asInt, fallback[0], fallback.length > 0);
  }

  /** Returns the finite number under `key` (decimal strings too); otherwise as {@link Session.getString}. Never NaN. */
  getNumber(key: string): number | undefined;
  getNumber(key: string, fallback: number): number;
  getNumber(key: string, ...fallback: [number?]): number | undefined {
    return readTyped(this.name, key, this.get(key), "a number", asNumber, fallback[0], fallback.length > 0);
  }

  /** Returns the boolean under `key` ("true"/"false" too); otherwise as {@link Session.getString}. */
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
    const current = this.#values.get(key);
    this.set(key, Array.isArray(current) ? [...current, value] : [value]);
  }

  /** Returns the flash messages under `key` and removes them (read once); `[]` when none. */
  flashes(key: string = DEFAULT_FLASH_KEY): unknown[] {
    const current = this.#values.get(key);
    if (current === undefined) return [];
    this.delete(key);
    return Array.isArray(current) ? current : [current];
  }

  /** Returns the flash messages under `key` without removing them. */
  peekFlashes(key: string = DEFAULT_FLASH_KEY): unknown[] {
    const current = this.#values.get(key);
    if (current === undefined) return [];
    return Array.isArray(current) ? [...current] : [current];
  }

  /**
   * Saves the session through its store and sets its cookie; skipped when nothing changed (unless rolling),
   * and for a new session until something is stored in it (no cookie, no server data for empty visitors).
   * Throws `session_destroyed` after {@link Session.destroy}: a destroyed session cannot come back.
   */
  async save(ctx: RequestContext): Promise<void> {
    if (this.#destroyed) {
      throw new SessionError(
        "session_destroyed",
        `session "${this.name}" was destroyed in this request and cannot be saved again; use regenerate() to start over.`,
      );
    }
    await this.store.save(ctx, this);
  }

  /** Deletes the session's server data and expires its cookie; later saves in this request throw. */
  async destroy(ctx: RequestContext): Promise<void> {
    if (this.#destroyed) return;
    this.#values.clear();
    if (this.store.destroy !== undefined) {
      await this.store.destroy(ctx, this);
    } else {
      this.options.maxAge = -1;
      await this.store.save(ctx, this);
    }
    this.#destroyed = true;
  }

  /**
   * Moves the session to a new id, keeping its values and deleting the old server data, and saves it: call
   * it when privileges change (login) to defeat session fixation.
   */
  async regenerate(ctx: RequestContext): Promise<void> {
    if (this.#destroyed) await this.save(ctx); // throws session_destroyed
    this.#dirty = true;
    this.#forced = true;
    if (this.store.regenerate !== undefined) await this.store.regenerate(ctx, this);
    else await this.store.save(ctx, this);
  }

  /**
   * Marks the session changed, e.g. after mutating an object stored in it. On a new session it also asks
   * for the session to be saved even with no values (which `save` otherwise skips).
   */
  markDirty(): void {
    this.#dirty = true;
    this.#forced = true;
  }

  /** True when values or options changed since the session was loaded or saved. */
  get isDirty(): boolean {
    return this.#dirty || !sameCookieOptions(this.options, this.#savedOptions);
  }

  /** True after {@link Session.destroy}. */
  get isDestroyed(): boolean {
    return this.#destroyed;
  }

  /** When the session was created, in Unix seconds (the start of its absolute timeout). */
  get createdAt(): number {
    return this.#createdAt;
  }

  /** When the session was last saved, in Unix seconds (the start of its idle timeout). */
  get accessedAt(): number {
    return this.#accessedAt;
  }

  /**
   * Tells a store whether `save` must write. A new session is written only once it holds a value (or after
   * `markDirty()` / `regenerate()`, or with `saveUninitialized`): visitors who store nothing get no cookie
   * and no server data, whatever `rolling` or their options say. A loaded session is written when its
   * values or options changed, with `rolling`, or when an idle timeout needs refreshing.
   */
  needsSave(now: number): boolean {
    if (this.isNew) return this.#forced || this.#values.size > 0 || this.config.saveUninitialized === true;
    if (this.isDirty || this.config.rolling === true) return true;
    const idle = this.config.idleTimeout ?? 0;
    return idle > 0 && now - this.#accessedAt >= Math.max(1, idle / 10);
  }

  /** Records a successful save at `now` (Unix seconds): no longer new, nothing changed. For stores. */
  markSaved(now: number): void {
    this.isNew = false;
    this.#dirty = false;
    this.#forced = false;
    this.#accessedAt = now;
    if (!sameCookieOptions(this.options, this.#savedOptions)) this.#savedOptions = { ...this.options };
  }

  /** Records that the store deleted the session. For stores implementing `destroy`. */
  markDestroyed(): void {
    this.#values.clear();
    this.#destroyed = true;
  }

  /** Replaces every value without marking the session changed (after `validate`). For stores and managers. */
  replaceValues(values: Record<string, unknown>): void {
    this.#values = new Map(Object.entries(values));
  }
}
