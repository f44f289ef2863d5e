import type { SerializerPlan } from "../src/serializers/plan-serializer.ts";
import type { SessionDefinition } from "../src/typed/define-session.ts";
import { fingerprintOf, type SchemaFingerprint } from "./fingerprint.ts";

/** A TypeScript type, as a plain tree: what a Zod schema's output is. */
export type TypeModel =
  | { readonly kind: "string" | "number" | "boolean" | "bigint" | "date" | "null" | "undefined" | "unknown" | "never" }
  | { readonly kind: "literal"; readonly values: readonly (string | number | boolean | bigint | null | undefined)[] }
  | { readonly kind: "array"; readonly element: TypeModel }
  | { readonly kind: "tuple"; readonly items: readonly TypeModel[]; readonly rest: TypeModel | undefined }
  | { readonly kind: "object"; readonly fields: readonly FieldModel[] }
  | { readonly kind: "record"; readonly key: TypeModel; readonly value: TypeModel }
  | { readonly kind: "map"; readonly key: TypeModel; readonly value: TypeModel }
  | { readonly kind: "set"; readonly value: TypeModel }
  | { readonly kind: "union"; readonly options: readonly TypeModel[] }
  | { readonly kind: "intersection"; readonly left: TypeModel; readonly right: TypeModel }
  | { readonly kind: "nullable"; readonly inner: TypeModel }
  | { readonly kind: "optional"; readonly inner: TypeModel };

/** One field of an object schema. */
export interface FieldModel {
  readonly name: string;
  /** The field's output type, without the `| undefined` of an optional field. */
  readonly type: TypeModel;
  /** The key may be absent from the output (`.optional()`). */
  readonly optional: boolean;
  /** The field has a `.default(...)`: absent input reads as the default. */
  readonly hasDefault: boolean;
  /** From `.describe(...)` on the field or a schema it wraps. */
  readonly description: string | undefined;
}

/** An older version of a session's data, from the definition's `migrate` chain. */
export interface VersionModel {
  /** The version number (below the session's current `version`). */
  readonly version: number;
  /** The fields of that version's data schema. */
  readonly fields: readonly FieldModel[];
  /** What that version's schema accepts, field by field. */
  readonly fingerprint: SchemaFingerprint;
}

/** Everything the emitter needs about one `defineSession(...)` export. */
export interface SessionModel {
  /** The export's name in the schema module, e.g. `user`. */
  readonly exportName: string;
  /** The session (cookie) name, e.g. `user_sessions`. */
  readonly sessionName: string;
  /** The version of `fields` (the definition's `version`, 1 unless declared). */
  readonly version: number;
  readonly fields: readonly FieldModel[];
  /** The older versions `migrate` brings up to date, oldest first; empty without a migrate chain. */
  readonly history: readonly VersionModel[];
  /** What the current schema accepts, field by field: recorded in the generated module, compared by the next gen. */
  readonly fingerprint: SchemaFingerprint;
  /** The flash message type; `unknown` when the definition has no flash schema. */
  readonly flash: TypeModel;
  /** False when every value is plain JSON: the session then uses the JSON serializer. */
  readonly needsSuperjson: boolean;
  /** Where the rich values are, for the schema-compiled serializer. */
  readonly plan: SerializerPlan;
}

/** A schema module's sessions, with the module's path relative to the project (forward slashes). */
export interface ModuleModel {
  readonly sourcePath: string;
  readonly sessions: readonly SessionModel[];
}

interface ZodLike {
  readonly _zod: { readonly def: Record<string, unknown> & { readonly type: string }; readonly optin?: string | undefined };
  readonly description?: string | undefined;
}

/** Thrown for a schema the generator cannot type; the CLI adds the file name. */
export class ModelError extends Error {}

function registryDescription(schema: ZodLike): string | undefined {
  const registry = (globalThis as { __zod_globalRegistry?: { get(s: unknown): { description?: string } | undefined } }).__zod_globalRegistry;
  return schema.description ?? registry?.get(schema)?.description;
}

const WRAPPERS = new Set(["optional", "default", "prefault", "nullable", "readonly", "catch", "nonoptional"]);

/** Finds a `.describe()` text on `schema` or on the schemas it wraps (`.default()` makes a new schema). */
function descriptionOf(schema: ZodLike): string | undefined {
  let current: ZodLike | undefined = schema;
  while (current !== undefined) {
    const text = registryDescription(current);
    if (text !== undefined) return text;
    current = WRAPPERS.has(current._zod.def.type) ? (current._zod.def["innerType"] as ZodLike) : undefined;
  }
  return undefined;
}

/** Builds the output type of a Zod 4 schema by walking `schema._zod.def`. */
export function typeOf(schema: ZodLike, where: string): TypeModel {
  const def = schema._zod.def;
  const child = (key: string, at = where): TypeModel => typeOf(def[key] as ZodLike, at);
  switch (def.type) {
    case "string":
    case "template_literal":
      return { kind: "string" };
    case "number":
    case "int":
    case "nan":
      return { kind: "number" };
    case "boolean":
    case "success":
      return { kind: "boolean" };
    case "bigint":
    case "date":
    case "null":
    case "undefined":
    case "unknown":
    case "never":
      return { kind: def.type };
    case "any":
    case "custom":
      return { kind: "unknown" };
    case "void":
      return { kind: "undefined" };
    case "literal":
      return { kind: "literal", values: def["values"] as (string | number | boolean | bigint | null | undefined)[] };
    case "enum":
      return { kind: "literal", values: [...new Set(Object.values(def["entries"] as Record<string, string | number>))] };
    case "array":
      return { kind: "array", element: child("element", `${where}[]`) };
    case "tuple":
      return {
        kind: "tuple",
        items: (def["items"] as ZodLike[]).map((item, i) => typeOf(item, `${where}[${i}]`)),
        rest: def["rest"] === null || def["rest"] === undefined ? undefined : child("rest"),
      };
    case "object":
      return { kind: "object", fields: fieldsOf(def["shape"] as Record<string, ZodLike>, where) };
    case "record":
      return { kind: "record", key: child("keyType"), value: child("valueType") };
    case "map":
      return { kind: "map", key: child("keyType"), value: child("valueType") };
    case "set":
      return { kind: "set", value: child("valueType") };
    case "union":
      return { kind: "union", options: (def["options"] as ZodLike[]).map((option) => typeOf(option, where)) };
    case "intersection":
      return { kind: "intersection", left: child("left"), right: child("right") };
    case "nullable":
      return { kind: "nullable", inner: child("innerType") };
    case "optional":
      return { kind: "optional", inner: child("innerType") };
    case "default":
    case "prefault":
    case "nonoptional":
      return withoutUndefined(child("innerType"));
    case "readonly":
    case "catch":
      return child("innerType");
    case "pipe":
      return child("out");
    case "lazy":
      throw new ModelError(`${where}: z.lazy() is not supported in session schemas; write the type out.`);
    default:
      throw new ModelError(`${where}: z.${def.type}() cannot be stored in a session (not serializable); use another type.`);
  }
}

function withoutUndefined(type: TypeModel): TypeModel {
  if (type.kind === "optional") return withoutUndefined(type.inner);
  if (type.kind === "nullable") return { kind: "nullable", inner: withoutUndefined(type.inner) };
  return type;
}

/** Builds the fields of an object shape, in declaration order. */
export function fieldsOf(shape: Record<string, ZodLike>, where: string): FieldModel[] {
  return Object.entries(shape).map(([name, field]) => {
    const at = where === "" ? name : `${where}.${name}`;
    const type = typeOf(field, at);
    const optional = type.kind === "optional";
    return {
      name,
      type: optional ? type.inner : type,
      optional,
      hasDefault: field._zod.def.type === "default" || field._zod.def.type === "prefault",
      description: descriptionOf(field),
    };
  });
}

const JSON_PLAN: SerializerPlan = { t: "json" };

/** Builds the serializer plan of a type: `json` where only plain JSON (without `undefined`) can appear. */
export function planOf(type: TypeModel): SerializerPlan {
  switch (type.kind) {
    case "string":
    case "number":
    case "boolean":
    case "null":
    case "never":
      return JSON_PLAN;
    case "date":
      return { t: "date" };
    case "bigint":
      return { t: "bigint" };
    case "undefined":
    case "unknown":
      return { t: "any" };
    case "literal":
      return type.values.every((v) => typeof v !== "bigint" && v !== undefined) ? JSON_PLAN : { t: "any" };
    case "nullable":
      return planOf(type.inner);
    case "optional": {
      const inner = planOf(type.inner);
      return inner.t === "json" ? { t: "any" } : inner;
    }
    case "array": {
      const element = planOf(type.element);
      return element.t === "json" ? JSON_PLAN : { t: "array", element };
    }
    case "record": {
      const value = planOf(type.value);
      return value.t === "json" ? JSON_PLAN : { t: "record", value };
    }
    case "map":
      return { t: "map", key: planOf(type.key), value: planOf(type.value) };
    case "set":
      return { t: "set", value: planOf(type.value) };
    case "object": {
      const fields: Record<string, SerializerPlan> = {};
      let json = true;
      for (const field of type.fields) {
        const plan = planOf(field.type);
        fields[field.name] = plan;
        if (plan.t !== "json" || field.optional) json = false;
      }
      return json ? JSON_PLAN : { t: "object", fields };
    }
    case "tuple":
    case "union":
    case "intersection": {
      const parts = type.kind === "tuple" ? [...type.items, ...(type.rest ? [type.rest] : [])] : type.kind === "union" ? type.options : [type.left, type.right];
      return parts.every((part) => planOf(part).t === "json") ? JSON_PLAN : { t: "any" };
    }
  }
}

/** Builds the model of one session definition exported as `exportName`. */
export function sessionModel(exportName: string, definition: SessionDefinition): SessionModel {
  const fields = fieldsOf(definition.data.shape as unknown as Record<string, ZodLike>, "");
  const flash: TypeModel = definition.flash === undefined ? { kind: "unknown" } : typeOf(definition.flash as unknown as ZodLike, "flash");
  const planFields: Record<string, SerializerPlan> = {};
  for (const field of fields) planFields[field.name] = planOf(field.type);
  planFields["_flash"] = planOf({ kind: "array", element: flash });
  const needsSuperjson = Object.values(planFields).some((plan) => plan.t !== "json");
  // `versions` ends with the current `data`; the ones before it get their own data types.
  // (A definition made by an older typed-sessions has neither: version 1, no history.)
  const version = definition.version ?? 1;
  const history = (definition.versions ?? [])
    .filter((entry) => entry.version !== version)
    .map((entry) => ({
      version: entry.version,
      fields: fieldsOf(entry.schema.shape as unknown as Record<string, ZodLike>, `v${entry.version}`),
      fingerprint: fingerprintOf(entry.schema),
    }));
  return {
    exportName,
    sessionName: definition.name,
    version,
    fields,
    history,
    fingerprint: fingerprintOf(definition.data),
    flash,
    needsSuperjson,
    plan: { t: "object", fields: planFields },
  };
}
