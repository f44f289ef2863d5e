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

/**
 * What to do when authentic stored data does not fit the schema: `"repair"` keeps the fields that fit and
 * gives the others their defaults (or drops them when optional), `"reset"` starts a fresh session, `"throw"`
 * rejects `get`. Repairs and resets are reported through `onError` with the fields' paths.
 */
export type OnInvalid = "repair" | "reset" | "throw";

/** The data type a Zod 4 schema parses to (`z.output`), read structurally so that zod need not be installed for the types. */
export type SchemaOutput<S> = S extends { readonly _zod: { readonly output: infer O } } ? O : unknown;

/** The data type a Zod 4 schema accepts (`z.input`): defaulted fields may be left out. */
export type SchemaInput<S> = S extends { readonly _zod: { readonly input: infer I } } ? I : unknown;

/** One migration step: data of the version before, parsed by its schema, turned into data of `schema`'s version. */
export interface MigrationStep {
  /** The schema of the version this step produces. */
  readonly schema: DataSchema;
  /** Turns the previous version's data into this version's input (checked against `schema` afterwards). */
  readonly up: (data: never) => unknown;
}

/**
 * A chain of schema versions, oldest first, built with `from(v1).to(v2, up).to(v3, up)` in `defineSession`'s
 * `migrate`: each `up` is typed from the previous schema's output to the next schema's input.
 */
export interface MigrationChain<Last extends DataSchema> {
  /** The oldest schema whose data can still be migrated. */
  readonly first: DataSchema;
  /** The steps after `first`, in order; the last one's schema is `Last`. */
  readonly steps: readonly MigrationStep[];
  /** Adds the next version: `up` turns data of the last schema so far into `next`'s input. */
  to<Next extends DataSchema>(next: Next, up: (data: SchemaOutput<Last>) => SchemaInput<Next>): MigrationChain<Next>;
}

/** Starts a {@link MigrationChain} at the oldest schema still migrated. */
export type MigrationStart = <First extends DataSchema>(first: First) => MigrationChain<First>;

function chain<Last extends DataSchema>(first: DataSchema, steps: readonly MigrationStep[]): MigrationChain<Last> {
  return Object.freeze({
    first,
    steps,
    to<Next extends DataSchema>(next: Next, up: (data: SchemaOutput<Last>) => SchemaInput<Next>): MigrationChain<Next> {
      return chain<Next>(first, [...steps, Object.freeze({ schema: next, up: up as (data: never) => unknown })]);
    },
  });
}

const from: MigrationStart = (first) => chain(first, []);

/** One stored version of a session's data, as a definition knows it. */
export interface SchemaVersion {
  /** The version number. */
  readonly version: number;
  /** Its data schema. */
  readonly schema: DataSchema;
  /** Turns data of the version before into this one's input; `undefined` for the oldest known version. */
  readonly up: ((data: never) => unknown) | undefined;
}

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
  /** What to do with authentic data that does not fit `data`. @default "repair" */
  readonly onInvalid?: OnInvalid | undefined;
  /**
   * The version of `data`'s shape, stored with every session's data; bump it (and add a step to `migrate`)
   * when a change would make stored data fail the schema. Whole numbers from 1. @default 1
   */
  readonly version?: number | undefined;
  /**
   * The older shapes and how to bring their data up to date: `(from) => from(v1).to(v2, (old) => ...)`,
   * ending at `data`. The chain's first schema is version `version - steps`; older data is repaired.
   */
  readonly migrate?: ((from: MigrationStart) => MigrationChain<D>) | undefined;
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
  /** The version of `data`'s shape (1 unless declared). */
  readonly version: number;
  /** Every version this definition can read, oldest first, ending with `version` and `data`. */
  readonly versions: readonly SchemaVersion[];
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
  if (input.onInvalid !== undefined && input.onInvalid !== "repair" && input.onInvalid !== "reset" && input.onInvalid !== "throw") {
    throw new SessionError("invalid_option", `defineSession("${input.name}"): onInvalid must be "repair", "reset" or "throw".`);
  }
  const version = input.version ?? 1;
  if (!Number.isSafeInteger(version) || version < 1 || version > 1_000_000_000) {
    throw new SessionError("invalid_option", `defineSession("${input.name}"): version must be a whole number from 1 (got ${String(version)}).`);
  }
  return Object.freeze({
    kind: "typed-sessions/session-definition",
    name: input.name,
    data: input.data,
    flash: input.flash as F,
    cookie: Object.freeze({ ...input.cookie }),
    onInvalid: input.onInvalid ?? "repair",
    version,
    versions: versionsOf(input.name, version, input.data, input.migrate),
  });
}

/** Builds the version list from `migrate`, checking that it ends at `data` and starts at version 1 or later. */
function versionsOf(
  name: string,
  version: number,
  data: DataSchema,
  migrate: ((from: MigrationStart) => MigrationChain<DataSchema>) | undefined,
): readonly SchemaVersion[] {
  if (migrate === undefined) return Object.freeze([Object.freeze({ version, schema: data, up: undefined })]);
  if (typeof migrate !== "function") {
    throw new SessionError("invalid_option", `defineSession("${name}"): migrate must be a function, (from) => from(v1).to(v2, (old) => ...).`);
  }
  const built = migrate(from);
  if (typeof built !== "object" || built === null || !Array.isArray(built.steps)) {
    throw new SessionError("invalid_option", `defineSession("${name}"): migrate must return its chain, (from) => from(v1).to(v2, (old) => ...).`);
  }
  const last = built.steps.at(-1);
  if (last === undefined || last.schema !== data) {
    throw new SessionError(
      "invalid_option",
      `defineSession("${name}"): the migrate chain must end at \`data\`: finish it with .to(<the data schema>, (old) => ...).`,
    );
  }
  const base = version - built.steps.length;
  if (base < 1) {
    throw new SessionError(
      "invalid_option",
      `defineSession("${name}"): version ${version} cannot follow ${built.steps.length} migration steps (the first schema would be version ${base}); set version to at least ${built.steps.length + 1}.`,
    );
  }
  for (const schema of [built.first, ...built.steps.map((step) => step.schema)]) {
    if (isZod3Schema(schema) || (schema as { _zod?: { def?: { type?: string } } })._zod?.def?.type !== "object") {
      throw new SessionError("invalid_option", `defineSession("${name}"): every schema in migrate must be a Zod 4 z.object({...}).`);
    }
  }
  const versions: SchemaVersion[] = [Object.freeze({ version: base, schema: built.first, up: undefined })];
  built.steps.forEach((step, i) => versions.push(Object.freeze({ version: base + i + 1, schema: step.schema, up: step.up })));
  return Object.freeze(versions);
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
