import superjson from "superjson";
import { text } from "../internal/text.ts";
import { plainJsonText, registerBodyWriter } from "./bare-json.ts";
import { parseSuperjson } from "./superjson-reader.ts";
import type { Serializer } from "./serializers.ts";

/**
 * A serializer plan: which parts of a session's values hold rich types (Date, Map, Set, BigInt, undefined),
 * computed from the schema by `typed-sessions gen`. `json` marks a part that can only hold plain JSON;
 * `any` a part whose types are not known in advance (superjson's generic walk handles it).
 */
export type SerializerPlan =
  | { readonly t: "json" }
  | { readonly t: "any" }
  | { readonly t: "date" }
  | { readonly t: "bigint" }
  | { readonly t: "object"; readonly fields: Readonly<Record<string, SerializerPlan>> }
  | { readonly t: "array"; readonly element: SerializerPlan }
  | { readonly t: "record"; readonly value: SerializerPlan }
  | { readonly t: "map"; readonly key: SerializerPlan; readonly value: SerializerPlan }
  | { readonly t: "set"; readonly value: SerializerPlan };

type Tree = [string] | [string, Annotations];
type Annotations = Record<string, Tree>;

/** Thrown inside the encoder when only superjson's full walk can reproduce its output (shared references). */
const GIVE_UP = Symbol("give up");


/** Keys superjson refuses (its prototype-pollution guard); `out["__proto__"] = …` would also drop the value. */
const GUARDED_KEYS = new Set(["__proto__", "constructor", "prototype"]);

function refuseGuardedKey(key: string): void {
  if (GUARDED_KEYS.has(key)) throw new Error(`the key "${key}" cannot be stored (superjson refuses it as a prototype-pollution risk)`);
}

function escapeKey(key: string): string {
  return key.indexOf(".") === -1 && key.indexOf("\\") === -1 ? key : key.replace(/\\/g, "\\\\").replace(/\./g, "\\.");
}

function join(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** superjson's generic walk for one value, its annotations grafted under `path`. */
function generic(value: unknown, path: string, ann: Annotations): unknown {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      if (Number.isFinite(value) && !Object.is(value, -0)) return value;
      break;
    case "object":
      if (value === null) return null;
      break;
    case "undefined":
      ann[path] = ["undefined"];
      return null;
  }
  const { json, meta } = superjson.serialize(value);
  if (meta?.referentialEqualities !== undefined) throw GIVE_UP;
  const values = meta?.values as Tree | Annotations | undefined;
  if (Array.isArray(values)) ann[path] = values;
  else if (values !== undefined) for (const key of Object.keys(values)) ann[join(path, key)] = values[key] as Tree;
  return json;
}

/** Records a non-primitive (or bigint) value; superjson writes shared ones as references, so give up then. */
function visit(seen: Set<unknown>, value: unknown): void {
  if (seen.has(value)) throw GIVE_UP;
  seen.add(value);
}

function encode(plan: SerializerPlan, value: unknown, path: string, ann: Annotations, seen: Set<unknown>): unknown {
  switch (plan.t) {
    case "json":
      return value === undefined ? generic(value, path, ann) : value;
    case "date":
      if (value instanceof Date && !Number.isNaN(value.getTime())) {
        visit(seen, value);
        ann[path] = ["Date"];
        return value.toISOString();
      }
      return generic(value, path, ann);
    case "bigint":
      if (typeof value === "bigint") {
        // superjson records equal bigints as shared references: only its own walk writes those.
        visit(seen, value);
        ann[path] = ["bigint"];
        return value.toString();
      }
      return generic(value, path, ann);
    case "object": {
      if (!isPlainObject(value)) return generic(value, path, ann);
      visit(seen, value);
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(value)) {
        refuseGuardedKey(key);
        const child = plan.fields[key];
        const childPath = join(path, escapeKey(key));
        out[key] =
          child === undefined ? generic(value[key], childPath, ann) : encode(child, value[key], childPath, ann, seen);
      }
      return out;
    }
    case "record": {
      if (!isPlainObject(value)) return generic(value, path, ann);
      visit(seen, value);
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(value)) {
        refuseGuardedKey(key);
        out[key] = encode(plan.value, value[key], join(path, escapeKey(key)), ann, seen);
      }
      return out;
    }
    case "array": {
      if (!Array.isArray(value)) return generic(value, path, ann);
      visit(seen, value);
      const out = new Array<unknown>(value.length);
      for (let i = 0; i < value.length; i++) out[i] = encode(plan.element, value[i], join(path, String(i)), ann, seen);
      return out;
    }
    case "map": {
      if (!(value instanceof Map)) return generic(value, path, ann);
      visit(seen, value);
      const inner: Annotations = {};
      const out: unknown[] = [];
      let i = 0;
      for (const [k, v] of value) {
        out.push([encode(plan.key, k, `${i}.0`, inner, seen), encode(plan.value, v, `${i}.1`, inner, seen)]);
        i++;
      }
      ann[path] = hasKeys(inner) ? ["map", inner] : ["map"];
      return out;
    }
    case "set": {
      if (!(value instanceof Set)) return generic(value, path, ann);
      visit(seen, value);
      const inner: Annotations = {};
      const out: unknown[] = [];
      let i = 0;
      for (const v of value) out.push(encode(plan.value, v, String(i++), inner, seen));
      ann[path] = hasKeys(inner) ? ["set", inner] : ["set"];
      return out;
    }
    case "any":
      return generic(value, path, ann);
  }
}

function hasKeys(record: object): boolean {
  for (const _ in record) return true;
  return false;
}

/**
 * Writes `value` exactly as `superjson.stringify` would, walking only the parts `plan` marks as rich; with
 * `bare`, plain JSON (nothing for superjson's metadata) as a payload body (see bare-json.ts).
 */
export function stringifyWithPlan(plan: SerializerPlan, value: unknown, bare = false): string {
  if (plan.t === "json" && value !== undefined) return plainJsonText(JSON.stringify(value), bare);
  const ann: Annotations = {};
  let json: unknown;
  try {
    json = encode(plan, value, "", ann, new Set());
  } catch (err) {
    if (err === GIVE_UP) return superjson.stringify(value);
    throw err;
  }
  if (!hasKeys(ann)) return plainJsonText(JSON.stringify(json), bare);
  // A root that is itself annotated (a Date, a Map...) gets a bare tree, as superjson does.
  const rootTree = value instanceof Map || value instanceof Set || typeof json !== "object" || json === null;
  const values = rootTree ? ann[""] : ann;
  return `{"json":${JSON.stringify(json)},"meta":{"values":${JSON.stringify(values)},"v":1}}`;
}

/**
 * Creates the serializer a generated session uses when its schema holds rich types: it writes superjson's
 * wire format (`{"json":...,"meta":{"values":...,"v":1}}`), so superjson reads it and it reads superjson, but
 * it walks only the fields `plan` marks as rich instead of every value.
 */
export function createPlanSerializer(plan: SerializerPlan): Serializer {
  const serializer: Serializer = {
    serialize: (value) => text.utf8Bytes(stringifyWithPlan(plan, value)),
    deserialize: (bytes) => parseSuperjson(text.utf8Text(bytes)),
    stringify: (value) => stringifyWithPlan(plan, value),
    parse: parseSuperjson,
  };
  registerBodyWriter(serializer, (value) => stringifyWithPlan(plan, value, true));
  return serializer;
}
