import type { CookieOptions } from "../http/cookie-options.ts";
import type { RequestContext } from "../http/request-context.ts";

/** The key flashes live under when none is given (gorilla's `_flash`). */
export const DEFAULT_FLASH_KEY = "_flash";

/**
 * One named session of one request: its values, flashes, cookie attributes and dirty state. Get it from a
 * manager (`await mySessions.get(req, res)`); it remembers its request, so `save()`, `destroy()` and
 * `regenerate()` take no argument. Values must be serializable by the session's serializer (superjson by
 * default: JSON plus Dates, Maps, Sets, BigInts). Changes made inside a stored object
 * (`session.get("cart").push(x)`) are saved too: `get` hands out plain objects and arrays as tracked views
 * (Proxies over the stored values) that note their first write, and a save compares only what was written
 * (Maps, Sets and Dates, which a view cannot watch, are compared whenever they were read). A view is the
 * value to every read, `Array.isArray` and `JSON.stringify`; `structuredClone` refuses Proxies: clone
 * `values()`, which hands out the stored values themselves.
 */
export interface Session {
  /** The session (cookie) name. */
  readonly name: string;
  /** The server-side id ("" for cookie sessions, and for server sessions not saved yet). */
  readonly id: string;
  /** True until the session has been saved, when it was not loaded from the request. */
  readonly isNew: boolean;
  /** This session's cookie attributes: a copy of its store's, free to change per session (`cookie.maxAge = 0`). */
  readonly cookie: CookieOptions;
  /** True when values (in place too) or cookie attributes changed since the session was loaded or saved. */
  readonly isDirty: boolean;
  /** True after {@link Session.destroy}. */
  readonly isDestroyed: boolean;
  /** When the session was created, in Unix seconds (the start of its absolute timeout). */
  readonly createdAt: number;
  /** When the session was last saved, in Unix seconds (the start of its idle timeout). */
  readonly accessedAt: number;

  /** Returns the value under `key`, or `undefined`. */
  get(key: string): unknown;
  /** Stores `value` under `key` (`undefined` deletes it) and marks the session changed. */
  set(key: string, value: unknown): this;
  /** Tells whether a value is stored under `key`. */
  has(key: string): boolean;
  /** Deletes the value under `key`; returns whether there was one. */
  delete(key: string): boolean;
  /** Deletes every value (flashes included); the session and its id stay. */
  clear(): void;
  /** Returns the stored keys, in insertion order. */
  keys(): string[];
  /** Returns a shallow copy of every value (flash keys included, metadata excluded). */
  values(): Record<string, unknown>;
  /** Returns the values, so `JSON.stringify(session)` shows them. */
  toJSON(): Record<string, unknown>;

  /** Returns the string under `key`, or `undefined` when missing; throws `wrong_value_type` for a non-string. */
  getString(key: string): string | undefined;
  /** Returns the string under `key`, or `fallback` when it is missing or not a string. */
  getString(key: string, fallback: string): string;
  /** Returns the safe integer under `key` (integer strings like "42" too), or `undefined`; throws `wrong_value_type` otherwise. Never NaN. */
  getInt(key: string): number | undefined;
  /** Returns the safe integer under `key` (integer strings too), or `fallback` when missing or not an integer. */
  getInt(key: string, fallback: number): number;
  /** Returns the finite number under `key` (decimal strings too), or `undefined`; throws `wrong_value_type` otherwise. Never NaN. */
  getNumber(key: string): number | undefined;
  /** Returns the finite number under `key` (decimal strings too), or `fallback` when missing or not a number. */
  getNumber(key: string, fallback: number): number;
  /** Returns the boolean under `key` ("true"/"false" too), or `undefined`; throws `wrong_value_type` otherwise. */
  getBoolean(key: string): boolean | undefined;
  /** Returns the boolean under `key` ("true"/"false" too), or `fallback` when missing or not a boolean. */
  getBoolean(key: string, fallback: boolean): boolean;
  /** Adds `by` to the number under `key` (missing counts as 0) and returns the result; throws `wrong_value_type` for a non-number. @default by 1 */
  increment(key: string, by?: number): number;
  /** Subtracts `by` from the number under `key` (missing counts as 0) and returns the result. @default by 1 */
  decrement(key: string, by?: number): number;

  /** Adds a flash message under `key` (gorilla's `_flash` by default), to be read once by {@link Session.flashes}. */
  addFlash(value: unknown, key?: string): void;
  /** Returns the flash messages under `key` and removes them (read once); `[]` when none. */
  flashes(key?: string): unknown[];
  /** Returns the flash messages under `key` without removing them. */
  peekFlashes(key?: string): unknown[];

  /**
   * Saves the session and sets its cookie on the request it was loaded for; skipped when nothing changed
   * (unless rolling), and for a new session until something is stored in it (no cookie, no server data for
   * empty visitors). Rejects with `session_destroyed` after {@link Session.destroy}, and with
   * `wrong_context` when given the context of another request.
   * @param context optional, the seed's `session.save(ctx)`: must be the session's own request context
   */
  save(context?: RequestContext): Promise<void>;
  /** Deletes the session's server data and expires its cookie; later saves in this request reject. */
  destroy(context?: RequestContext): Promise<void>;
  /**
   * Moves the session to a new id, keeping its values and deleting the old server data, and saves it: call
   * it when privileges change (login) to defeat session fixation.
   */
  regenerate(context?: RequestContext): Promise<void>;
  /**
   * Marks the session changed so the next save writes it (changes in place are found without it; this is
   * the explicit override). On a new session it also asks for the session to be saved even with no values
   * (which `save` otherwise skips).
   */
  markDirty(): void;
}
