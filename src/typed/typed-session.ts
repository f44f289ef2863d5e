import type { z } from "zod";
import type { RequestContext } from "../http/request-context.ts";
import type { CookieOptions } from "../http/cookie-options.ts";
import type { Session } from "../session/session.ts";
import type { SessionDefinition } from "./define-session.ts";
import { DEFAULT_FLASH_KEY as FLASH_KEY } from "../session/session.ts";
import { adoptDefault } from "../session/session-object.ts";
import { parseField } from "./validate.ts";

/**
 * The base of every generated typed session: wraps a {@link Session} and reads and writes its values through
 * the definition's Zod schema. Generated subclasses add one accessor per field (`session.name`).
 */
export class TypedSession<Data extends object, Flash> {
  /** The untyped session underneath (string-keyed `get`/`set`, metadata). */
  readonly untyped: Session;
  readonly #definition: SessionDefinition;

  /** Wraps `session`; generated managers call this, handlers get typed sessions from `user.sessions(store).get(req, res)`. */
  constructor(session: Session, definition: SessionDefinition) {
    this.untyped = session;
    this.#definition = definition;
  }

  /**
   * Returns the stored value of `key`, or the field's default (or `undefined`) when none is stored. A default
   * object (`[]`, `{}`) is kept in the session, so changing it in place (`session.cart.push(x)`) is saved.
   */
  protected read(key: keyof Data & string): unknown {
    if (this.untyped.has(key)) return this.untyped.get(key);
    const field = this.#definition.data.shape[key] as z.ZodType | undefined;
    if (field === undefined) return undefined;
    const result = field.safeParse(undefined);
    if (!result.success) return undefined;
    return typeof result.data === "object" && result.data !== null ? adoptDefault(this.untyped, key, result.data) : result.data;
  }

  /**
   * Checks `value` against the field's schema and stores the parsed value (`undefined` deletes an optional
   * field); throws a `SessionValidationError` (code `invalid_session_data`) for a value that does not fit.
   */
  protected write(key: keyof Data & string, value: unknown): void {
    const field = this.#definition.data.shape[key] as z.ZodType;
    const parsed = parseField(this.#definition.name, key, field, value);
    this.untyped.set(key, parsed);
  }

  /** The server-side id ("" for cookie sessions and before the first save). */
  get id(): string {
    return this.untyped.id;
  }

  /** True until the session has been saved, when it was not loaded from the request. */
  get isNew(): boolean {
    return this.untyped.isNew;
  }

  /** This session's cookie attributes (change them per session, e.g. `cookie.maxAge = 0`). */
  get cookie(): CookieOptions {
    return this.untyped.cookie;
  }

  /** True after {@link TypedSession.destroy}. */
  get isDestroyed(): boolean {
    return this.untyped.isDestroyed;
  }

  /** Returns every field's value (defaults filled in), e.g. for logging or a JSON response. */
  toJSON(): Partial<Data> {
    const stored = this.untyped.values(); // the values as they are (not views): structuredClone takes them
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(this.#definition.data.shape)) {
      const value = Object.hasOwn(stored, key) ? stored[key] : defaultOf(field as z.ZodType);
      if (value !== undefined) out[key] = value;
    }
    return out as Partial<Data>;
  }

  /** Removes the stored value of `key`: the field reads its default (or `undefined`) again. */
  delete(key: keyof Data & string): void {
    this.untyped.delete(key);
  }

  /** Removes every stored value (flashes too): each field reads its default again. */
  clear(): void {
    this.untyped.clear();
  }

  /** Adds a flash message, checked against the definition's flash schema; read it once with {@link TypedSession.flashes}. */
  addFlash(flash: Flash): void {
    const schema = this.#definition.flash;
    this.untyped.addFlash(schema === undefined ? flash : parseField(this.#definition.name, FLASH_KEY, schema as z.ZodType, flash), FLASH_KEY);
  }

  /** Returns the flash messages and removes them (read once); `[]` when none. */
  flashes(): Flash[] {
    return this.untyped.flashes(FLASH_KEY) as Flash[];
  }

  /** Returns the flash messages without removing them. */
  peekFlashes(): Flash[] {
    return this.untyped.peekFlashes(FLASH_KEY) as Flash[];
  }

  /** Marks the session changed so the next save writes it; changes in place (`session.cart.push(x)`) are found without it. */
  markDirty(): void {
    this.untyped.markDirty();
  }

  /** Saves the session and sets its cookie on its request; skipped when nothing changed. */
  save(context?: RequestContext): Promise<void> {
    return this.untyped.save(context);
  }

  /** Deletes the session's data and expires its cookie. */
  destroy(context?: RequestContext): Promise<void> {
    return this.untyped.destroy(context);
  }

  /** Moves the session to a new id, keeping its values, and saves it (call it at login). */
  regenerate(context?: RequestContext): Promise<void> {
    return this.untyped.regenerate(context);
  }
}

/** The value a field reads as when nothing is stored: its default, or `undefined`. */
function defaultOf(field: z.ZodType): unknown {
  const result = field.safeParse(undefined);
  return result.success ? result.data : undefined;
}

/** Member names a generated accessor must not take (they belong to {@link TypedSession}). */
export const RESERVED_FIELD_NAMES: readonly string[] = [
  "untyped", "read", "write", "id", "isNew", "cookie", "isDestroyed", "toJSON", "delete", "clear", "addFlash", "flashes",
  "peekFlashes", "markDirty", "save", "destroy", "regenerate", "constructor",
];
