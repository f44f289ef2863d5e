import { SessionError } from "../errors.ts";
import type { CookieOptions } from "../http/cookie-options.ts";

/**
 * A Zod 4 schema, as far as these types need to know one: its internals' definition. Written out rather
 * than imported from zod, so that a project using no typed sessions type-checks without zod installed.
 */
export interface ZodSchemaLike {
  /** Zod 4's internals (what tells a Zod 4 schema from a Zod 3 one). */
  readonly _zod: { readonly def: { readonly type: string } };
}

/** The Zod schema of a session's data: a `z.object({...})`, one field per session value. */
export interface DataSchema extends ZodSchemaLike {
  /** The object's fields. */
  readonly shape: Readonly<Record<string, ZodSchemaLike>>;
}

/** What to do when authentic stored data does not fit the schema: start fresh, or throw. */
export type OnInvalid = "reset" | "throw";

/** The input of {@link defineSession}. */
export interface SessionDefinitionInput<D extends DataSchema, F extends ZodSchemaLike | undefined> {
  /** The session (and cookie) name, e.g. `"user_sessions"`. */
  readonly name: string;
  /** The shape of the session's values: a `z.object({...})`; give fields defaults or make them optional. */
  readonly data: D;
  /** The shape of one flash message; omit for untyped (`unknown`) flashes. */
  readonly flash?: F;
  /** Cookie attributes for this session; the store's fill in the rest. */
  readonly cookie?: Partial<CookieOptions> | undefined;
  /** What to do with authentic data that does not fit `data`. @default "reset" */
  readonly onInvalid?: OnInvalid | undefined;
}

/** A declared session: what `typed-sessions gen` reads and generated modules bind to. */
export interface SessionDefinition<
  D extends DataSchema = DataSchema,
  F extends ZodSchemaLike | undefined = ZodSchemaLike | undefined,
> {
  /** Marks the object for the code generator. */
  readonly kind: "typed-sessions/session-definition";
  /** The session (and cookie) name. */
  readonly name: string;
  /** The schema of the session's values. */
  readonly data: D;
  /** The schema of one flash message; `undefined` for untyped flashes. */
  readonly flash: F;
  /** Cookie attributes this session presets. */
  readonly cookie: Readonly<Partial<CookieOptions>>;
  /** What happens to authentic data that does not fit `data`. */
  readonly onInvalid: OnInvalid;
}

/**
 * Declares a session's shape once, in Zod; `npm run gen` turns it into typed accessors. A plain call with no
 * side effects: it only checks its input and returns a frozen description.
 * @example
 * export const user = defineSession({
 *   name: "user_sessions",
 *   data: z.object({ name: z.string().default(""), lastSeen: z.date().optional() }),
 *   flash: z.object({ kind: z.enum(["info", "error"]), text: z.string() }),
 * });
 */
export function defineSession<D extends DataSchema, F extends ZodSchemaLike | undefined = undefined>(
  input: SessionDefinitionInput<D, F>,
): SessionDefinition<D, F> {
  if (typeof input.name !== "string" || input.name === "") {
    throw new SessionError(
      "invalid_option",
      'defineSession needs a non-empty `name` (the cookie name), e.g. "user_sessions".',
    );
  }
  const data: unknown = input.data;
  if (isZod3Schema(data) || isZod3Schema(input.flash)) {
    throw new SessionError(
      "invalid_option",
      `defineSession("${input.name}") needs a Zod 4 schema: import z from \`zod\` ≥ 4 (or from \`zod/v4\` in a project still on zod 3), not from zod 3.`,
    );
  }
  if (
    typeof data !== "object" ||
    data === null ||
    (data as { _zod?: { def?: { type?: string } } })._zod?.def?.type !== "object"
  ) {
    throw new SessionError(
      "invalid_option",
      `defineSession("${input.name}") needs \`data\` to be a z.object({...}) schema.`,
    );
  }
  if (input.onInvalid !== undefined && input.onInvalid !== "reset" && input.onInvalid !== "throw") {
    throw new SessionError("invalid_option", `defineSession("${input.name}"): onInvalid must be "reset" or "throw".`);
  }
  return Object.freeze({
    kind: "typed-sessions/session-definition",
    name: input.name,
    data: input.data,
    flash: input.flash as F,
    cookie: Object.freeze({ ...input.cookie }),
    onInvalid: input.onInvalid ?? "reset",
  });
}

/** Tells whether `value` was made by {@link defineSession}. */
export function isSessionDefinition(value: unknown): value is SessionDefinition {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { kind?: unknown }).kind === "typed-sessions/session-definition"
  );
}

/** Tells whether `value` is a schema of Zod 3 (a `_def` and no `_zod`), which typed-sessions cannot read. */
function isZod3Schema(value: unknown): boolean {
  return typeof value === "object" && value !== null && "_def" in value && !("_zod" in value);
}
