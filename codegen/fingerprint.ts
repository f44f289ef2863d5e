/**
 * Schema fingerprints: what gen records in each generated module about the current version's data schema
 * (per field: its type, whether it is required, optional or defaulted, and the constraints that decide which
 * values pass), and the comparison that tells whether data stored under an old fingerprint still passes a new
 * schema. Descriptions and default values are left out: they never make stored data fail.
 */

/** A Zod 4 schema, as far as fingerprints read one. */
interface ZodNode {
  readonly _zod: {
    readonly def: Record<string, unknown> & { readonly type: string; readonly checks?: readonly ZodNode[] };
    readonly traits?: ReadonlySet<string>;
    readonly pattern?: RegExp | undefined;
  };
}

/** The shape of a value a schema accepts, as plain JSON (the `t` key names the kind). */
export type Shape =
  | StringShape
  | NumberShape
  | BigintShape
  | DateShape
  | (Checked & { readonly t: "boolean" | "null" | "undefined" | "unknown" | "never" | "nan" })
  | (Checked & { readonly t: "literal"; readonly values: readonly string[] })
  | (Checked & Sized & { readonly t: "array" | "set"; readonly of: Shape })
  | (Checked & Sized & { readonly t: "map"; readonly key: Shape; readonly value: Shape })
  | (Checked & { readonly t: "tuple"; readonly items: readonly Shape[]; readonly rest?: Shape })
  | ObjectShape
  | (Checked & { readonly t: "record"; readonly key: Shape; readonly value: Shape; readonly partial?: true; readonly loose?: true })
  | (Checked & { readonly t: "union"; readonly of: readonly Shape[]; readonly exclusive?: true })
  | (Checked & { readonly t: "intersection"; readonly of: readonly [Shape, Shape] })
  | (Checked & { readonly t: "pipe"; readonly in: Shape; readonly out: Shape })
  | (Checked & { readonly t: "nullable" | "optional" | "catch"; readonly of: Shape })
  | (Checked & { readonly t: "opaque"; readonly type: string });

/** What any schema can carry besides its type: refinements (counted) and checks fingerprints do not model. */
interface Checked {
  /** How many `.refine()` / `.superRefine()` / `.check()` refinements it has. */
  readonly refine?: number;
  /** Other checks, by name (sorted). */
  readonly checks?: readonly string[];
}

/** Size bounds of arrays, sets and maps. */
interface Sized {
  readonly min?: number;
  readonly max?: number;
}

/** Lower (`min` inclusive or `gt` exclusive) and upper (`max` or `lt`) bounds; at most one of each pair. */
interface Bounded<N> {
  readonly min?: N;
  readonly gt?: N;
  readonly max?: N;
  readonly lt?: N;
}

interface StringShape extends Checked, Sized {
  readonly t: "string";
  /** String formats and patterns, sorted: `email`, `regex /^a/`, `starts_with {"prefix":"a"}`, `template /^a\d+$/`. */
  readonly formats?: readonly string[];
}

interface NumberShape extends Checked, Bounded<number> {
  readonly t: "number";
  /** Number formats (`safeint` for `.int()`, `int32`, `uint32`, `float32`, `float64`), sorted. */
  readonly formats?: readonly string[];
  readonly multipleOf?: readonly number[];
}

interface BigintShape extends Checked, Bounded<string> {
  readonly t: "bigint";
  /** `int64` or `uint64`. */
  readonly formats?: readonly string[];
  /** Decimal digits. */
  readonly multipleOf?: readonly string[];
}

/** Bounds in milliseconds since the epoch. */
interface DateShape extends Checked, Bounded<number> {
  readonly t: "date";
}

interface ObjectShape extends Checked {
  readonly t: "object";
  readonly fields: Readonly<Record<string, FieldShape>>;
  /** What happens to keys not in `fields`: dropped (absent), refused (`strict`), kept (`loose`) or checked (a shape). */
  readonly unknownKeys?: "strict" | "loose" | Shape;
}

/** Whether a field may be absent: `required`, `optional` (`.optional()`) or `default` (`.default()` / `.prefault()`). */
export type Presence = "required" | "optional" | "default";

/** One object field: its presence and the shape of its value (without the `| undefined` of an optional field). */
export type FieldShape = readonly [Presence, Shape];

/** A data schema's fingerprint: its fields in declaration order. */
export type SchemaFingerprint = readonly (readonly [name: string, field: FieldShape])[];

const NUMBER_FORMAT_RANGES: Record<string, readonly [number, number]> = {
  safeint: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
  float32: [-3.4028234663852886e38, 3.4028234663852886e38],
  float64: [-Number.MAX_VALUE, Number.MAX_VALUE],
};

const BIGINT_FORMAT_RANGES: Record<string, readonly [bigint, bigint]> = {
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
};

// ---------------------------------------------------------------------------------------------------------
// Building fingerprints from Zod 4 schemas

/** The checks of a schema as one record; keys are inserted in a fixed order, so the JSON is deterministic. */
interface Aggregate {
  minLength?: number;
  maxLength?: number;
  lower?: { value: number | bigint | Date; inclusive: boolean };
  upper?: { value: number | bigint | Date; inclusive: boolean };
  formats: Set<string>;
  multipleOf: Set<string>;
  refine: number;
  other: Set<string>;
}

function tighter(a: number | bigint | Date, b: number | bigint | Date): number {
  const x = a instanceof Date ? a.getTime() : a;
  const y = b instanceof Date ? b.getTime() : b;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Parameters of a string format check that change what it accepts (`prefix`, `version`, `precision`...). */
function formatKey(def: Record<string, unknown>): string {
  const format = String(def["format"]);
  if (format === "regex") return `regex ${String(def["pattern"])}`;
  const params: Record<string, unknown> = {};
  for (const key of Object.keys(def).sort()) {
    if (["type", "check", "format", "abort", "pattern", "when", "error", "message", "coerce"].includes(key)) continue;
    const value = def[key];
    if (value === null || ["string", "number", "boolean"].includes(typeof value)) params[key] = value;
    else if (value instanceof RegExp) params[key] = String(value);
  }
  return Object.keys(params).length === 0 ? format : `${format} ${JSON.stringify(params)}`;
}

function aggregate(schema: ZodNode): Aggregate {
  const agg: Aggregate = { formats: new Set(), multipleOf: new Set(), refine: 0, other: new Set() };
  const def = schema._zod.def;
  // A format schema (z.email(), z.int()) is its own first check.
  const checks = schema._zod.traits?.has("$ZodCheck") ? [schema, ...(def.checks ?? [])] : [...(def.checks ?? [])];
  const lower = (value: number | bigint | Date, inclusive: boolean): void => {
    const c = agg.lower === undefined ? 1 : tighter(value, agg.lower.value);
    if (c > 0 || (c === 0 && !inclusive)) agg.lower = { value, inclusive };
  };
  const upper = (value: number | bigint | Date, inclusive: boolean): void => {
    const c = agg.upper === undefined ? -1 : tighter(value, agg.upper.value);
    if (c < 0 || (c === 0 && !inclusive)) agg.upper = { value, inclusive };
  };
  const minLength = (n: number): void => void (agg.minLength = Math.max(agg.minLength ?? 0, n));
  const maxLength = (n: number): void => void (agg.maxLength = Math.min(agg.maxLength ?? Infinity, n));
  for (const check of checks) {
    const c = check._zod.def as Record<string, unknown>;
    switch (c["check"]) {
      case "min_length":
      case "min_size":
        minLength(c["minimum"] as number);
        break;
      case "max_length":
      case "max_size":
        maxLength(c["maximum"] as number);
        break;
      case "length_equals":
        minLength(c["length"] as number);
        maxLength(c["length"] as number);
        break;
      case "size_equals":
        minLength(c["size"] as number);
        maxLength(c["size"] as number);
        break;
      case "greater_than":
        lower(c["value"] as number | bigint | Date, c["inclusive"] === true);
        break;
      case "less_than":
        upper(c["value"] as number | bigint | Date, c["inclusive"] === true);
        break;
      case "multiple_of":
        agg.multipleOf.add(String(c["value"]));
        break;
      case "number_format":
      case "bigint_format":
        agg.formats.add(String(c["format"]));
        break;
      case "string_format":
        agg.formats.add(formatKey(c));
        break;
      case "custom":
        agg.refine++;
        break;
      case "overwrite": // .trim(), .toLowerCase(): they change values, never refuse one
        break;
      default:
        agg.other.add(String(c["check"]));
    }
  }
  return agg;
}

function plain(value: number | bigint | Date): number | string {
  return value instanceof Date ? value.getTime() : typeof value === "bigint" ? String(value) : value;
}

/** Writes the aggregate's parts that apply to `kind` onto `node` (in a fixed key order). */
function withChecks(node: Record<string, unknown>, agg: Aggregate, kind: "length" | "bounds" | "none"): Shape {
  if (kind === "length") {
    if (agg.minLength !== undefined && agg.minLength > 0) node["min"] = agg.minLength;
    if (agg.maxLength !== undefined && agg.maxLength !== Infinity) node["max"] = agg.maxLength;
  }
  if (kind === "bounds") {
    if (agg.lower !== undefined) node[agg.lower.inclusive ? "min" : "gt"] = plain(agg.lower.value);
    if (agg.upper !== undefined) node[agg.upper.inclusive ? "max" : "lt"] = plain(agg.upper.value);
  }
  if (agg.formats.size > 0) node["formats"] = [...agg.formats].sort();
  if (agg.multipleOf.size > 0) {
    const divisors = [...agg.multipleOf].sort();
    node["multipleOf"] = node["t"] === "number" ? divisors.map(Number) : divisors;
  }
  if (agg.refine > 0) node["refine"] = agg.refine;
  if (agg.other.size > 0) node["checks"] = [...agg.other].sort();
  return node as unknown as Shape;
}

function literalKey(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}n`;
  return String(value);
}

/** Builds the shape of a Zod 4 schema (what it accepts) by walking `schema._zod.def`. */
export function shapeOf(schema: ZodNode): Shape {
  const def = schema._zod.def;
  const child = (key: string): Shape => shapeOf(def[key] as ZodNode);
  const agg = aggregate(schema);
  switch (def.type) {
    case "string":
      return withChecks({ t: "string" }, agg, "length");
    case "template_literal": {
      agg.formats.add(`template ${String(schema._zod.pattern)}`);
      return withChecks({ t: "string" }, agg, "length");
    }
    case "number":
    case "int":
      if (def.type === "int") agg.formats.add("safeint");
      return withChecks({ t: "number" }, agg, "bounds");
    case "bigint":
      return withChecks({ t: "bigint" }, agg, "bounds");
    case "date":
      return withChecks({ t: "date" }, agg, "bounds");
    case "boolean":
    case "null":
    case "undefined":
    case "unknown":
    case "never":
    case "nan":
      return withChecks({ t: def.type }, agg, "none");
    case "void":
      return withChecks({ t: "undefined" }, agg, "none");
    case "any":
      return withChecks({ t: "unknown" }, agg, "none");
    case "literal":
      return withChecks({ t: "literal", values: [...new Set((def["values"] as unknown[]).map(literalKey))].sort() }, agg, "none");
    case "enum":
      return withChecks({ t: "literal", values: [...new Set(Object.values(def["entries"] as Record<string, unknown>).map(literalKey))].sort() }, agg, "none");
    case "array":
      return withChecks({ t: "array", of: child("element") }, agg, "length");
    case "set":
      return withChecks({ t: "set", of: child("valueType") }, agg, "length");
    case "map":
      return withChecks({ t: "map", key: child("keyType"), value: child("valueType") }, agg, "length");
    case "tuple": {
      const node: Record<string, unknown> = { t: "tuple", items: (def["items"] as ZodNode[]).map(shapeOf) };
      if (def["rest"] !== null && def["rest"] !== undefined) node["rest"] = child("rest");
      return withChecks(node, agg, "none");
    }
    case "object": {
      const node: Record<string, unknown> = { t: "object", fields: Object.fromEntries(fieldShapes(def["shape"] as Record<string, ZodNode>)) };
      const catchall = def["catchall"] as ZodNode | undefined;
      if (catchall !== undefined) {
        const type = catchall._zod.def.type;
        node["unknownKeys"] = type === "never" ? "strict" : type === "unknown" || type === "any" ? "loose" : shapeOf(catchall);
      }
      return withChecks(node, agg, "none");
    }
    case "record": {
      const node: Record<string, unknown> = { t: "record", key: child("keyType"), value: child("valueType") };
      if (def["partial"] === true) node["partial"] = true;
      if (def["mode"] === "loose") node["loose"] = true;
      return withChecks(node, agg, "none");
    }
    case "union": {
      const node: Record<string, unknown> = { t: "union", of: (def["options"] as ZodNode[]).map(shapeOf) };
      // z.xor: exactly one option must match, so even a new option can refuse a value.
      if (def["inclusive"] === false && def["discriminator"] === undefined) node["exclusive"] = true;
      return withChecks(node, agg, "none");
    }
    case "intersection":
      return withChecks({ t: "intersection", of: [child("left"), child("right")] }, agg, "none");
    case "pipe":
      return withChecks({ t: "pipe", in: child("in"), out: child("out") }, agg, "none");
    case "nullable":
    case "optional":
    case "catch":
      return withChecks({ t: def.type, of: child("innerType") }, agg, "none");
    case "default":
    case "prefault":
    case "readonly":
      return child("innerType");
    case "nonoptional":
      return withoutUndefined(child("innerType"));
    default:
      return withChecks({ t: "opaque", type: def.type }, agg, "none");
  }
}

function withoutUndefined(shape: Shape): Shape {
  if (shape.t === "optional") return withoutUndefined(shape.of);
  if (shape.t === "union") return { ...shape, of: shape.of.filter((option) => option.t !== "undefined").map(withoutUndefined) };
  return shape;
}

function fieldShapes(shape: Record<string, ZodNode>): [string, FieldShape][] {
  return Object.entries(shape).map(([name, field]) => {
    let outer = field;
    while (outer._zod.def.type === "readonly") outer = outer._zod.def["innerType"] as ZodNode;
    const type = outer._zod.def.type;
    const value = shapeOf(field);
    // A default stands in for `undefined`, so whether the inner schema accepts undefined does not matter.
    if (type === "default" || type === "prefault") return [name, ["default", withoutUndefined(value)]];
    if (value.t === "optional" && value.refine === undefined && value.checks === undefined) return [name, ["optional", value.of]];
    return [name, ["required", value]];
  });
}

/** The fingerprint of a session's data schema (a `z.object`): one entry per field, in declaration order. */
export function fingerprintOf(data: { readonly shape: Readonly<Record<string, unknown>> }): SchemaFingerprint {
  return fieldShapes(data.shape as Record<string, ZodNode>);
}

// ---------------------------------------------------------------------------------------------------------
// The text generated modules carry

/** The line that starts the fingerprint block, with the format's version. */
export const FINGERPRINT_MARKER = "// typed-sessions:fingerprint 1";

/** One session's recorded fingerprint. */
export interface RecordedSession {
  readonly exportName: string;
  readonly sessionName: string;
  readonly version: number;
  readonly fields: SchemaFingerprint;
}

/** JSON, with the two characters a `//` comment cannot hold (U+2028, U+2029) escaped. */
function json(value: unknown): string {
  return JSON.stringify(value).replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

/**
 * Writes the fingerprint block a generated module ends with: an explanation, the marker, then per session a
 * `// session <export> <"cookie name"> version <n>` line and one `// field <"name"> <presence> <shape JSON>`
 * line per field.
 */
export function formatFingerprints(sessions: readonly RecordedSession[]): string {
  const lines = [
    "// The schema of each session's current version, as gen records it: the next gen compares the schema with these",
    "// lines and refuses a change that data stored under this version may not fit unless the version is bumped.",
    FINGERPRINT_MARKER,
  ];
  for (const session of sessions) {
    lines.push(`// session ${session.exportName} ${json(session.sessionName)} version ${session.version}`);
    for (const [name, [presence, shape]] of session.fields) lines.push(`// field ${json(name)} ${presence} ${json(shape)}`);
  }
  return `${lines.join("\n")}\n`;
}

/** What a generated module on disk records: its sessions, none (an older gen wrote it), or why it cannot be read. */
export type ReadFingerprints = { readonly sessions: readonly RecordedSession[] } | { readonly malformed: string };

const SESSION_LINE = /^\/\/ session ([A-Za-z_$][\w$]*) ("(?:[^"\\]|\\.)*") version (\d+)$/;
const FIELD_LINE = /^\/\/ field ("(?:[^"\\]|\\.)*") (required|optional|default) (\{.*\})$/;

/** Reads the fingerprint block of a generated module's text (everything from the marker to the end). */
export function parseFingerprints(text: string): ReadFingerprints {
  const lines = text.split(/\r?\n/); // a checkout with CRLF line endings reads the same
  const start = lines.indexOf(FINGERPRINT_MARKER);
  if (start === -1) {
    return lines.some((line) => line.startsWith("// typed-sessions:fingerprint"))
      ? { malformed: "its fingerprint was written by another version of typed-sessions" }
      : { sessions: [] };
  }
  const sessions: { exportName: string; sessionName: string; version: number; fields: [string, FieldShape][] }[] = [];
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line === "" && i === lines.length - 1) break;
    const session = SESSION_LINE.exec(line);
    const field = session === null ? FIELD_LINE.exec(line) : null;
    try {
      if (session !== null) {
        const exportName = session[1] as string;
        if (sessions.some((s) => s.exportName === exportName)) return { malformed: `session ${exportName} is recorded twice (a merge conflict?)` };
        sessions.push({ exportName, sessionName: JSON.parse(session[2] as string) as string, version: Number(session[3]), fields: [] });
        continue;
      }
      const current = sessions.at(-1);
      if (field !== null && current !== undefined) {
        const shape = JSON.parse(field[3] as string) as Shape;
        if (typeof shape !== "object" || shape === null || typeof shape.t !== "string") throw new Error("not a shape");
        current.fields.push([JSON.parse(field[1] as string) as string, [field[2] as Presence, shape]]);
        continue;
      }
    } catch {
      // falls through to the error below
    }
    return { malformed: `line ${i + 1} of its fingerprint cannot be read: ${line.length > 80 ? `${line.slice(0, 80)}…` : line}` };
  }
  return { sessions };
}

// ---------------------------------------------------------------------------------------------------------
// Comparing fingerprints

/** A way a new schema may refuse data that an old one accepted. */
export interface Incompatibility {
  /** Where: the field, then `.name` for nested fields, `[]` for elements, `[0]` for tuple items... */
  readonly path: string;
  /** What changed, e.g. `max length lowered from 100 to 50`. */
  readonly reason: string;
  /** The shape there before and after, e.g. `string (max 100), with a default`. */
  readonly before: string;
  readonly after: string;
}

/** Lists what makes data stored under `old` fail `next`; empty when every such value still passes. */
export function compareFingerprints(old: SchemaFingerprint, next: SchemaFingerprint): Incompatibility[] {
  return compareFields(new Map(old), new Map(next), "", { unknownKeysMatter: false });
}

function problem(path: string, reason: string, before: string, after: string): Incompatibility {
  return { path, reason, before, after };
}

function fieldText([presence, shape]: FieldShape): string {
  const type = render(shape);
  return presence === "required" ? `${type}, required` : presence === "optional" ? `${type}, optional` : `${type}, with a default`;
}

function compareFields(
  old: ReadonlyMap<string, FieldShape>,
  next: ReadonlyMap<string, FieldShape>,
  prefix: string,
  options: { unknownKeysMatter: boolean; unknownKeys?: ObjectShape["unknownKeys"] },
): Incompatibility[] {
  const problems: Incompatibility[] = [];
  const at = (name: string): string => (prefix === "" ? name : `${prefix}.${name}`);
  for (const [name, field] of next) {
    const before = old.get(name);
    const [presence, shape] = field;
    // .catch() turns a missing value into its value too.
    const required = presence === "required" && shape.t !== "catch";
    if (before === undefined) {
      if (required) {
        problems.push(problem(at(name), "added as required without a default (stored data does not have it)", "(absent)", fieldText(field)));
      }
      continue;
    }
    if (required && before[0] !== "required") {
      const what = before[0] === "optional" ? "optional removed" : "default removed";
      problems.push(problem(at(name), `${what}: now required without a default (stored data may not have it)`, fieldText(before), fieldText(field)));
    }
    problems.push(...accepts(before[1], shape, at(name)));
  }
  if (options.unknownKeysMatter) {
    const unknownKeys = options.unknownKeys;
    for (const [name, field] of old) {
      if (next.has(name) || unknownKeys === undefined || unknownKeys === "loose") continue;
      if (unknownKeys === "strict") {
        problems.push(problem(at(name), "removed from a strict object: stored data still has the key, which it now refuses", fieldText(field), "(absent)"));
      } else {
        for (const found of accepts(field[1], unknownKeys, at(name))) problems.push({ ...found, reason: `removed, and the catchall ${found.reason}` });
      }
    }
  }
  return problems;
}

/**
 * The options of a union, flattened: literals split into one value each, `optional` and `nullable` into their
 * parts. An exclusive union (z.xor) is split only on the old side (`old`): its values are among its options'.
 */
function atoms(shape: Shape, old = false): Shape[] {
  const split = (part: Shape): Shape[] => atoms(part, old);
  switch (shape.t) {
    case "union":
      return (shape.exclusive === true && !old) || shape.refine !== undefined || shape.checks !== undefined ? [shape] : shape.of.flatMap(split);
    case "optional":
    case "nullable":
      if (shape.refine !== undefined || shape.checks !== undefined) return [shape];
      return [...split(shape.of), { t: shape.t === "optional" ? "undefined" : "null" }];
    case "literal":
      return shape.values.length <= 1 || shape.refine !== undefined || shape.checks !== undefined
        ? [shape]
        : shape.values.map((value) => ({ t: "literal", values: [value] }));
    default:
      return [shape];
  }
}

/** Tells which of the basic kinds a literal value is (from its text, as `literalKey` writes it). */
function literalKind(value: string): "string" | "number" | "bigint" | "boolean" | "null" | "undefined" | "nan" {
  if (value.startsWith('"')) return "string";
  if (value.endsWith("n") && value !== "NaN") return "bigint";
  if (value === "true" || value === "false") return "boolean";
  if (value === "null" || value === "undefined") return value;
  if (value === "NaN") return "nan";
  return "number";
}

/** Lists what makes values of `old` fail `next` at `path`. */
function accepts(old: Shape, next: Shape, path: string): Incompatibility[] {
  if (next.t === "unknown" && next.refine === undefined && next.checks === undefined) return [];
  if (next.t === "catch") return []; // .catch() turns any failure into its value
  if (old.t === "never") return [];
  if (old.t === "catch") return accepts(old.of, next, path);
  if (JSON.stringify(old) === JSON.stringify(next)) return [];
  // Values of an intersection or a pipe pass both parts: they fit `next` when either part's values do.
  if (old.t === "intersection" || old.t === "pipe") {
    const [left, right] = old.t === "pipe" ? [old.in, old.out] : old.of;
    if (accepts(left, next, path).length === 0) return [];
    return accepts(right, next, path); // a pipe's output side is the narrower one: its problems explain best
  }
  // A value passes an intersection or a pipe when it passes both parts.
  if (next.t === "intersection" || next.t === "pipe") {
    const [left, right] = next.t === "pipe" ? [next.in, next.out] : next.of;
    return [...accepts(old, left, path), ...accepts(old, right, path)];
  }
  const extra = checksAccept(old, next, path);
  const oldAtoms = atoms(old, true);
  const nextAtoms = atoms(next);
  if (oldAtoms.length === 1 && nextAtoms.length === 1 && oldAtoms[0] === old && nextAtoms[0] === next) return [...extra, ...acceptsAtom(old, next, path)];
  const problems: Incompatibility[] = [...extra];
  const removedValues: string[] = [];
  for (const atom of oldAtoms) {
    const tries = nextAtoms.map((candidate) => (atom === old && candidate === next ? acceptsAtom(atom, candidate, path) : accepts(atom, candidate, path)));
    if (tries.some((found) => found.length === 0)) continue;
    if (atom.t === "literal" && atom.values.length === 1) {
      removedValues.push(atom.values[0] as string);
      continue;
    }
    if (atom.t === "null" || atom.t === "undefined") {
      problems.push(problem(path, `${atom.t} no longer accepted${atom.t === "null" ? " (.nullable() removed?)" : ""}`, render(old), render(next)));
      continue;
    }
    // The closest option of `next` (the same kind) explains best; otherwise the type changed.
    const sameKind = nextAtoms.findIndex((candidate) => candidate.t === atom.t);
    const only = nextAtoms.length === 1 && tries[0]?.every((p) => p.reason !== "type changed") === true ? tries[0] : undefined;
    const found = sameKind === -1 ? only : tries[sameKind];
    if (found !== undefined) problems.push(...found);
    else if (oldAtoms.length === 1) problems.push(problem(path, "type changed", render(old), render(next)));
    else problems.push(problem(path, `union option ${render(atom)} no longer accepted`, render(old), render(next)));
  }
  if (removedValues.length > 0) {
    problems.push(problem(path, `value${removedValues.length > 1 ? "s" : ""} ${removedValues.join(", ")} no longer accepted`, render(old), render(next)));
  }
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = JSON.stringify(p);
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

/** Refinements and checks fingerprints do not model: more of them (or new ones) may refuse values. */
function checksAccept(old: Shape, next: Shape, path: string): Incompatibility[] {
  const problems: Incompatibility[] = [];
  if ((next.refine ?? 0) > (old.refine ?? 0)) problems.push(problem(path, "refinement added (.refine / .superRefine / .check)", render(old), render(next)));
  const added = (next.checks ?? []).filter((check) => !(old.checks ?? []).includes(check));
  if (added.length > 0) problems.push(problem(path, `check ${added.join(", ")} added`, render(old), render(next)));
  return problems;
}

function acceptsLiteral(value: string, next: Shape, path: string, old: Shape): Incompatibility[] {
  const kind = literalKind(value);
  const fail = [problem(path, "type changed", render(old), render(next))];
  if (next.t === "literal") return next.values.includes(value) ? [] : fail;
  if (next.t !== kind) return fail;
  // A literal against its base type: it passes when it fits the base type's constraints.
  const bare: Shape = { t: kind } as Shape;
  if (next.t === "string") {
    const text = JSON.parse(value) as string;
    const length = [...text].length;
    const ok = (next.min ?? 0) <= length && length <= (next.max ?? Infinity) && (next.formats ?? []).every((format) => formatAccepts(format, text));
    return ok ? [] : [problem(path, `value ${value} does not fit the new constraints`, render(old), render(next))];
  }
  if (next.t === "number" || next.t === "bigint") {
    const point = next.t === "number" ? Number(value) : value.slice(0, -1);
    // The single value as a range of one point, a multiple of itself (and an integer when it is one).
    const asShape = { t: next.t, min: point, max: point, multipleOf: [point], ...(next.t === "number" && Number.isInteger(point) ? { formats: ["safeint"] } : {}) } as Shape;
    return accepts(asShape, next, path).length === 0 ? [] : [problem(path, `value ${value} does not fit the new constraints`, render(old), render(next))];
  }
  return accepts(bare, next, path);
}

/** Tests a literal against a recorded string format: patterns are tested, named formats are assumed to refuse. */
function formatAccepts(format: string, text: string): boolean {
  const pattern = /^(?:regex|template) \/(.*)\/([a-z]*)$/s.exec(format);
  if (pattern === null) return false;
  try {
    return new RegExp(pattern[1] as string, pattern[2]).test(text);
  } catch {
    return false;
  }
}

/** Compares two shapes that are not unions (nor optional / nullable wrappers). */
function acceptsAtom(old: Shape, next: Shape, path: string): Incompatibility[] {
  if (old.t === "literal" && old.values.length === 1) return acceptsLiteral(old.values[0] as string, next, path, old);
  if (old.t === "literal" && next.t === "literal") {
    const removed = old.values.filter((value) => !next.values.includes(value));
    return removed.length === 0 ? [] : [problem(path, `value${removed.length > 1 ? "s" : ""} ${removed.join(", ")} no longer accepted`, render(old), render(next))];
  }
  if (next.t === "union" && next.exclusive === true && old.t !== "union") {
    const fits = next.of.some((option) => accepts(old, option, path).length === 0);
    const reason = fits ? "now an exclusive union (z.xor), which refuses a value that matches more than one option" : "type changed";
    return [problem(path, reason, render(old), render(next))];
  }
  if (old.t !== next.t) {
    if (old.t === "literal") {
      const found = old.values.flatMap((value) => acceptsLiteral(value, next, path, old));
      return found.length === 0 ? [] : [found[0] as Incompatibility];
    }
    return [problem(path, "type changed", render(old), render(next))];
  }
  const before = render(old);
  const after = render(next);
  const narrowed = (reason: string): Incompatibility => problem(path, reason, before, after);
  switch (next.t) {
    case "string": {
      const o = old as StringShape;
      const problems = lengths(o, next, "length", narrowed);
      const added = (next.formats ?? []).filter((format) => !(o.formats ?? []).includes(format));
      if (added.length > 0) problems.push(narrowed(`format ${added.join(", ")} added`));
      return problems;
    }
    case "number":
    case "bigint":
    case "date":
      return bounds(old as NumberShape | BigintShape | DateShape, next, narrowed);
    case "array":
    case "set": {
      const o = old as typeof next;
      return [...lengths(o, next, next.t === "array" ? "items" : "size", narrowed), ...accepts(o.of, next.of, `${path}[]`)];
    }
    case "map": {
      const o = old as typeof next;
      return [...lengths(o, next, "size", narrowed), ...accepts(o.key, next.key, `${path}{key}`), ...accepts(o.value, next.value, `${path}{}`)];
    }
    case "tuple": {
      const o = old as typeof next;
      const problems: Incompatibility[] = [];
      const length = Math.max(o.items.length, next.items.length);
      for (let i = 0; i < length; i++) {
        const before = o.items[i] ?? o.rest;
        const after = next.items[i] ?? next.rest;
        if (before === undefined || after === undefined) {
          problems.push(narrowed(before === undefined ? `item ${i} added` : `item ${i} removed`));
          continue;
        }
        problems.push(...accepts(before, after, `${path}[${i}]`));
      }
      if (o.rest !== undefined) {
        if (next.rest === undefined) problems.push(narrowed("rest items removed"));
        else problems.push(...accepts(o.rest, next.rest, `${path}[${length}...]`));
      }
      return problems;
    }
    case "object": {
      const o = old as ObjectShape;
      const problems: Incompatibility[] = [];
      const oldKeys = o.unknownKeys;
      const nextKeys = next.unknownKeys;
      // Stored data has keys beyond `fields` only when the old object kept or checked them.
      if (oldKeys === "loose" || (typeof oldKeys === "object" && oldKeys !== null)) {
        if (nextKeys === "strict") problems.push(narrowed("unknown keys now refused (z.strictObject)"));
        else if (typeof nextKeys === "object" && nextKeys !== null) {
          problems.push(...(oldKeys === "loose" ? [narrowed("unknown keys now checked (.catchall)")] : accepts(oldKeys, nextKeys, `${path}{}`)));
        }
      }
      problems.push(...compareFields(new Map(Object.entries(o.fields)), new Map(Object.entries(next.fields)), path, { unknownKeysMatter: true, unknownKeys: nextKeys }));
      return problems;
    }
    case "record": {
      const o = old as typeof next;
      const problems: Incompatibility[] = [];
      if (next.loose !== true) {
        if (o.loose === true) problems.push(narrowed("keys that do not fit the key schema now refused (z.looseRecord removed)"));
        else problems.push(...accepts(o.key, next.key, `${path}{key}`));
      }
      // A record keyed by an enum needs every key unless it is partial: a new key is missing from stored data.
      const exhaustive = (shape: typeof next): string[] | undefined => {
        if (shape.partial === true) return undefined;
        const keys = atoms(shape.key);
        return keys.every((key) => key.t === "literal") ? keys.flatMap((key) => (key as { values: readonly string[] }).values) : undefined;
      };
      const needed = exhaustive(next);
      if (needed !== undefined) {
        const had = exhaustive(o);
        const missing = had === undefined ? needed : needed.filter((key) => !had.includes(key));
        if (missing.length > 0) problems.push(narrowed(`now requires key${missing.length > 1 ? "s" : ""} ${missing.join(", ")}`));
      }
      problems.push(...accepts(o.value, next.value, `${path}{}`));
      return problems;
    }
    case "union": {
      // Only refined or exclusive unions get here (others are split into their options).
      if (next.exclusive === true) return [narrowed("exclusive union (z.xor) changed: a value may now match two options")];
      const options = (union: typeof next): Shape => ({ t: "union", of: union.of });
      return accepts(options(old as typeof next), options(next), path);
    }
    case "optional":
    case "nullable":
      return accepts((old as typeof next).of, next.of, path);
    case "opaque":
      return (old as typeof next).type === next.type ? [] : [narrowed("type changed")];
    default:
      return [];
  }
}

function lengths(
  old: { readonly min?: number; readonly max?: number },
  next: { readonly min?: number; readonly max?: number },
  what: "length" | "items" | "size",
  narrowed: (reason: string) => Incompatibility,
): Incompatibility[] {
  const problems: Incompatibility[] = [];
  if ((next.min ?? 0) > (old.min ?? 0)) problems.push(narrowed(old.min === undefined ? `min ${what} ${next.min} added` : `min ${what} raised from ${old.min} to ${next.min}`));
  if ((next.max ?? Infinity) < (old.max ?? Infinity)) problems.push(narrowed(old.max === undefined ? `max ${what} ${next.max} added` : `max ${what} lowered from ${old.max} to ${next.max}`));
  return problems;
}

type Bound = { value: number | bigint; exclusive: boolean } | undefined;

function effectiveBounds(shape: NumberShape | BigintShape | DateShape): { lower: Bound; upper: Bound; int: boolean } {
  const num = (v: number | string): number | bigint => (shape.t === "bigint" ? BigInt(v) : Number(v));
  let lower: Bound = shape.min !== undefined ? { value: num(shape.min), exclusive: false } : shape.gt !== undefined ? { value: num(shape.gt), exclusive: true } : undefined;
  let upper: Bound = shape.max !== undefined ? { value: num(shape.max), exclusive: false } : shape.lt !== undefined ? { value: num(shape.lt), exclusive: true } : undefined;
  const formats = shape.t === "date" ? [] : (shape.formats ?? []);
  for (const format of formats) {
    const range = shape.t === "bigint" ? BIGINT_FORMAT_RANGES[format] : NUMBER_FORMAT_RANGES[format];
    if (range === undefined) continue;
    if (lower === undefined || range[0] > lower.value) lower = { value: range[0], exclusive: false };
    if (upper === undefined || range[1] < upper.value) upper = { value: range[1], exclusive: false };
  }
  return { lower, upper, int: shape.t === "bigint" || formats.some((format) => format.includes("int")) };
}

function boundText(shape: Shape, bound: Bound, side: "lower" | "upper"): string {
  if (bound === undefined) return "none";
  const value = shape.t === "date" ? new Date(Number(bound.value)).toISOString() : shape.t === "bigint" ? `${bound.value}n` : String(bound.value);
  return `${side === "lower" ? ">" : "<"}${bound.exclusive ? "" : "="} ${value}`;
}

function bounds(
  old: NumberShape | BigintShape | DateShape,
  next: NumberShape | BigintShape | DateShape,
  narrowed: (reason: string) => Incompatibility,
): Incompatibility[] {
  const problems: Incompatibility[] = [];
  const o = effectiveBounds(old);
  const n = effectiveBounds(next);
  const intAdded = n.int && !o.int;
  if (intAdded) problems.push(narrowed("int added"));
  // .int()'s own range (the safe integers) says nothing beyond "int added".
  const safe = (bound: Bound): boolean => intAdded && bound !== undefined && !bound.exclusive && Math.abs(Number(bound.value)) === Number.MAX_SAFE_INTEGER;
  const formatsAdded = next.t !== "date" && old.t !== "date" ? (next.formats ?? []).filter((f) => !(old.formats ?? []).includes(f) && NUMBER_FORMAT_RANGES[f] === undefined && BIGINT_FORMAT_RANGES[f] === undefined) : [];
  if (formatsAdded.length > 0) problems.push(narrowed(`format ${formatsAdded.join(", ")} added`));
  // `next`'s lower bound refuses values `old` allowed when it is above old's (or equal and newly exclusive).
  if (n.lower !== undefined && !safe(n.lower) && (o.lower === undefined || n.lower.value > o.lower.value || (n.lower.value === o.lower.value && n.lower.exclusive && !o.lower.exclusive))) {
    const what = old.t === "date" ? "earliest date" : "minimum";
    problems.push(narrowed(o.lower === undefined ? `${what} ${boundText(next, n.lower, "lower")} added` : `${what} raised from ${boundText(old, o.lower, "lower")} to ${boundText(next, n.lower, "lower")}`));
  }
  if (n.upper !== undefined && !safe(n.upper) && (o.upper === undefined || n.upper.value < o.upper.value || (n.upper.value === o.upper.value && n.upper.exclusive && !o.upper.exclusive))) {
    const what = old.t === "date" ? "latest date" : "maximum";
    problems.push(narrowed(o.upper === undefined ? `${what} ${boundText(next, n.upper, "upper")} added` : `${what} lowered from ${boundText(old, o.upper, "upper")} to ${boundText(next, n.upper, "upper")}`));
  }
  if (next.t !== "date" && old.t !== "date") {
    const oldDivisors = (old.multipleOf ?? []).map(String);
    for (const divisor of (next.multipleOf ?? []).map(String)) {
      const divides = oldDivisors.some((m) => (next.t === "bigint" ? BigInt(m) % BigInt(divisor) === 0n : Number.isInteger(Number(m) / Number(divisor))));
      if (!divides) problems.push(narrowed(`multipleOf ${divisor} added`));
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------
// Rendering shapes for messages

/** Writes a shape as TypeScript-like text with its constraints, e.g. `string (max 100)`, `number (int, >= 0)`. */
export function render(shape: Shape): string {
  const parts: string[] = [];
  let base: string;
  switch (shape.t) {
    case "string":
      base = "string";
      if (shape.min !== undefined) parts.push(`min ${shape.min}`);
      if (shape.max !== undefined) parts.push(`max ${shape.max}`);
      parts.push(...(shape.formats ?? []));
      break;
    case "number":
    case "bigint":
    case "date": {
      base = shape.t === "date" ? "Date" : shape.t;
      if (shape.t !== "date") parts.push(...(shape.formats ?? []).map((f) => (f === "safeint" ? "int" : f)));
      const text = (v: number | string): string => (shape.t === "date" ? new Date(Number(v)).toISOString() : shape.t === "bigint" ? `${v}n` : String(v));
      if (shape.min !== undefined) parts.push(`>= ${text(shape.min)}`);
      if (shape.gt !== undefined) parts.push(`> ${text(shape.gt)}`);
      if (shape.max !== undefined) parts.push(`<= ${text(shape.max)}`);
      if (shape.lt !== undefined) parts.push(`< ${text(shape.lt)}`);
      if (shape.t !== "date") parts.push(...(shape.multipleOf ?? []).map((m) => `multipleOf ${m}`));
      break;
    }
    case "literal":
      base = shape.values.length === 0 ? "never" : shape.values.join(" | ");
      break;
    case "array":
    case "set": {
      const inner = render(shape.of);
      base = shape.t === "set" ? `Set<${inner}>` : /[ |&]/.test(inner) ? `(${inner})[]` : `${inner}[]`;
      if (shape.min !== undefined) parts.push(`min ${shape.min}`);
      if (shape.max !== undefined) parts.push(`max ${shape.max}`);
      break;
    }
    case "map":
      base = `Map<${render(shape.key)}, ${render(shape.value)}>`;
      if (shape.min !== undefined) parts.push(`min ${shape.min}`);
      if (shape.max !== undefined) parts.push(`max ${shape.max}`);
      break;
    case "tuple":
      base = `[${[...shape.items.map(render), ...(shape.rest === undefined ? [] : [`...${render(shape.rest)}[]`])].join(", ")}]`;
      break;
    case "object": {
      const fields = Object.entries(shape.fields).map(([name, [presence, value]]) => `${/^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name)}${presence === "required" ? "" : "?"}: ${render(value)}`);
      base = fields.length === 0 ? "{}" : `{ ${fields.join("; ")} }`;
      if (shape.unknownKeys === "strict") parts.push("strict");
      else if (shape.unknownKeys === "loose") parts.push("loose");
      else if (shape.unknownKeys !== undefined) parts.push(`catchall ${render(shape.unknownKeys)}`);
      break;
    }
    case "record":
      base = `Record<${render(shape.key)}, ${render(shape.value)}>`;
      if (shape.partial === true) parts.push("partial");
      if (shape.loose === true) parts.push("loose");
      break;
    case "union":
      base = shape.of.map(render).join(shape.exclusive === true ? " ^ " : " | ");
      break;
    case "intersection":
      base = shape.of.map(render).join(" & ");
      break;
    case "pipe":
      base = `${render(shape.in)} → ${render(shape.out)}`;
      break;
    case "nullable":
    case "optional":
      base = `${render(shape.of)} | ${shape.t === "nullable" ? "null" : "undefined"}`;
      break;
    case "catch":
      base = render(shape.of);
      parts.push("catch");
      break;
    case "opaque":
      base = `z.${shape.type}()`;
      break;
    default:
      base = shape.t;
  }
  if (shape.refine !== undefined) parts.push(shape.refine === 1 ? "refined" : `refined ×${shape.refine}`);
  parts.push(...(shape.checks ?? []));
  return parts.length === 0 ? base : `${base} (${parts.join(", ")})`;
}
