// Repair of authentic stored data that does not fit its Zod schema: keep every part that fits, give the
// rest the schema's value for `undefined` (a default, or nothing when optional), drop list entries that
// cannot be repaired. Only used once a parse has failed, so it may parse more than once per level.
import type { z } from "zod";
import { SessionValidationError, type ValidationIssue } from "../errors.ts";
import { describeIssues, toIssues } from "./issues.ts";
import { finishValues } from "./stored-schema.ts";

/** What {@link repair} made of a value: the repaired data and what was wrong, or that nothing fits. */
export type RepairResult =
  | {
      /** The value fits now. */
      readonly ok: true;
      /** The parsed repaired value (defaults and transforms applied, as `schema.parse` returns it). */
      readonly data: unknown;
      /** What did not fit, with dotted paths into the original value; empty when it fitted as it was. */
      readonly issues: readonly ValidationIssue[];
    }
  | {
      /** Nothing fits: not even the schema's value for `undefined`. */
      readonly ok: false;
      /** What did not fit, with dotted paths into the original value. */
      readonly issues: readonly ValidationIssue[];
    };

/**
 * Repairs `value` against `schema`, keeping every part that fits. Recursively: an object's fields are
 * repaired one by one (unknown keys stripped as a parse strips them, or dropped with an issue by a strict
 * object), an array's, set's, record's or map's entries too, an entry that cannot be repaired is dropped;
 * the rebuilt value is parsed again, and when it still fails (a refinement, a minimum length the dropped
 * entries broke) or the value has no structure to repair, it falls back to what the schema makes of
 * `undefined`: its default, or `undefined` when optional (an object field is then left out). When even
 * that fails, the failure goes up to the enclosing object or list. Wrappers (optional, default, prefault,
 * nullable, readonly, nonoptional, catch, lazy, a pipe's input) are looked through for the structure; the
 * wrapped schema parses the rebuilt value. Parses rebuilt *inputs*, so transforms run once.
 *
 * For a stored-values object (every field optional or defaulted) the result is always `ok`.
 */
export function repair(schema: z.ZodType, value: unknown): RepairResult {
  const issues: ValidationIssue[] = [];
  const outcome = repairNode(schema, value, [], issues);
  if (outcome.kind === "keep") return { ok: true, data: outcome.output, issues };
  if (outcome.kind === "fallback") return { ok: true, data: outcome.output, issues };
  return { ok: false, issues };
}

/** A rebuilt input that parses (and what it parses to), the schema's value for `undefined`, or neither. */
type Outcome =
  | { readonly kind: "keep"; readonly input: unknown; readonly output: unknown }
  | { readonly kind: "fallback"; readonly output: unknown }
  | { readonly kind: "fail" };

const FAIL: Outcome = { kind: "fail" };

/** What rebuilding a value's structure gave: a new input, no structure to rebuild, or a part that failed. */
type Rebuilt = { readonly input: unknown } | "leaf" | "failed";

interface Def {
  readonly type: string;
  readonly innerType?: z.ZodType;
  readonly in?: z.ZodType;
  readonly getter?: () => z.ZodType;
  readonly shape?: Readonly<Record<string, z.ZodType>>;
  readonly catchall?: z.ZodType;
  readonly element?: z.ZodType;
  readonly keyType?: z.ZodType;
  readonly valueType?: z.ZodType;
}

function defOf(schema: z.ZodType): Def {
  return schema._zod.def as unknown as Def;
}

function repairNode(schema: z.ZodType, value: unknown, path: readonly PropertyKey[], issues: ValidationIssue[]): Outcome {
  const first = schema.safeParse(value);
  if (first.success) return { kind: "keep", input: value, output: first.data };
  const rebuilt = rebuild(unwrap(schema), value, path, issues);
  if (rebuilt === "leaf") {
    issues.push(...toIssues(first.error.issues, path));
  } else if (rebuilt !== "failed") {
    const again = schema.safeParse(rebuilt.input);
    if (again.success) return { kind: "keep", input: rebuilt.input, output: again.data };
    // What is left is the level's own checks (a refinement, a minimum the dropped entries broke).
    issues.push(...toIssues(again.error.issues, path));
  }
  const empty = schema.safeParse(undefined);
  return empty.success ? { kind: "fallback", output: empty.data } : FAIL;
}

/** Looks through wrappers to the schema that gives the value its structure. */
function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (let depth = 0; depth < 64; depth++) {
    const def = defOf(current);
    switch (def.type) {
      case "optional":
      case "default":
      case "prefault":
      case "nullable":
      case "readonly":
      case "nonoptional":
      case "catch":
        if (def.innerType === undefined) return current;
        current = def.innerType;
        break;
      case "pipe":
        if (def.in === undefined) return current;
        current = def.in;
        break;
      case "lazy":
        if (def.getter === undefined) return current;
        current = def.getter();
        break;
      default:
        return current;
    }
  }
  return current;
}

function isRecordLike(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Sets an own property, `__proto__` included (stored data is authentic but its keys are still data). */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

function rebuild(schema: z.ZodType, value: unknown, path: readonly PropertyKey[], issues: ValidationIssue[]): Rebuilt {
  const def = defOf(schema);
  switch (def.type) {
    case "object":
      return isRecordLike(value) && def.shape !== undefined ? rebuildObject(def, def.shape, value, path, issues) : "leaf";
    case "array":
      return Array.isArray(value) && def.element !== undefined ? { input: rebuildList(def.element, value, path, issues) } : "leaf";
    case "set":
      return value instanceof Set && def.valueType !== undefined ? { input: rebuildSet(def.valueType, value, path, issues) } : "leaf";
    case "record":
      return isRecordLike(value) && def.keyType !== undefined && def.valueType !== undefined
        ? { input: rebuildRecord(def.keyType, def.valueType, value, path, issues) }
        : "leaf";
    case "map":
      return value instanceof Map && def.keyType !== undefined && def.valueType !== undefined
        ? { input: rebuildMap(def.keyType, def.valueType, value, path, issues) }
        : "leaf";
    default:
      return "leaf";
  }
}

function rebuildObject(
  def: Def,
  shape: Readonly<Record<string, z.ZodType>>,
  value: Record<string, unknown>,
  path: readonly PropertyKey[],
  issues: ValidationIssue[],
): Rebuilt {
  const out: Record<string, unknown> = {};
  let failed = false;
  for (const key of Object.keys(shape)) {
    const field = shape[key] as z.ZodType;
    const outcome = repairNode(field, value[key], [...path, key], issues);
    if (outcome.kind === "keep") {
      if (outcome.input !== undefined) setOwn(out, key, outcome.input);
    } else if (outcome.kind === "fail") {
      failed = true; // keep going: every field's issues are reported
    }
  }
  const catchall = def.catchall;
  if (catchall !== undefined) {
    for (const key of Object.keys(value)) {
      if (Object.hasOwn(shape, key)) continue;
      if (defOf(catchall).type === "never") {
        issues.push({ path: [...path, key].map(String).join("."), message: `Unrecognized key: "${key}"`, code: "unrecognized_keys" });
        continue;
      }
      const outcome = repairNode(catchall, value[key], [...path, key], issues);
      if (outcome.kind === "keep") setOwn(out, key, outcome.input);
    }
  }
  return failed ? "failed" : { input: out };
}

/** An entry that falls back keeps its place (the element's default); one that cannot be repaired is dropped. */
function rebuildList(element: z.ZodType, value: readonly unknown[], path: readonly PropertyKey[], issues: ValidationIssue[]): unknown[] {
  const out: unknown[] = [];
  value.forEach((item, index) => {
    const outcome = repairNode(element, item, [...path, index], issues);
    if (outcome.kind === "keep") out.push(outcome.input);
    else if (outcome.kind === "fallback") out.push(undefined);
  });
  return out;
}

/** Zod reports a set's elements at the set's own path; an element that does not fit is dropped. */
function rebuildSet(element: z.ZodType, value: ReadonlySet<unknown>, path: readonly PropertyKey[], issues: ValidationIssue[]): Set<unknown> {
  const out = new Set<unknown>();
  for (const item of value) {
    const outcome = repairNode(element, item, path, issues);
    if (outcome.kind === "keep") out.add(outcome.input);
  }
  return out;
}

function rebuildRecord(
  keyType: z.ZodType,
  valueType: z.ZodType,
  value: Record<string, unknown>,
  path: readonly PropertyKey[],
  issues: ValidationIssue[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const keyResult = keyType.safeParse(key);
    if (!keyResult.success) {
      issues.push(...toIssues(keyResult.error.issues, [...path, key]));
      continue;
    }
    const outcome = repairNode(valueType, value[key], [...path, key], issues);
    if (outcome.kind === "keep") setOwn(out, key, outcome.input);
    else if (outcome.kind === "fallback") setOwn(out, key, undefined);
  }
  return out;
}

function rebuildMap(
  keyType: z.ZodType,
  valueType: z.ZodType,
  value: ReadonlyMap<unknown, unknown>,
  path: readonly PropertyKey[],
  issues: ValidationIssue[],
): Map<unknown, unknown> {
  const out = new Map<unknown, unknown>();
  for (const [key, item] of value) {
    const at = [...path, typeof key === "symbol" ? key : String(key)];
    const keyOutcome = repairNode(keyType, key, at, issues);
    if (keyOutcome.kind !== "keep") continue;
    const outcome = repairNode(valueType, item, at, issues);
    if (outcome.kind === "keep") out.set(keyOutcome.input, outcome.input);
    else if (outcome.kind === "fallback") out.set(keyOutcome.input, undefined);
  }
  return out;
}

/**
 * Repairs a session's stored values against a stored-values schema (see {@link repair}) and drops an absent
 * flash list or CSRF token; when not even their object fits (values that are not an object at all), starts
 * from `{}`, which such a schema accepts. Throws a {@link SessionValidationError} only for a schema that
 * refuses `{}` (one built with object-level checks), naming `sessionName`.
 */
export function repairValues(
  sessionName: string,
  schema: z.ZodObject,
  values: unknown,
): { readonly data: Record<string, unknown>; readonly issues: readonly ValidationIssue[] } {
  const repaired = repair(schema, values);
  if (repaired.ok && typeof repaired.data === "object" && repaired.data !== null) {
    return { data: finishValues(repaired.data as Record<string, unknown>), issues: repaired.issues };
  }
  const empty = schema.safeParse({});
  if (empty.success) {
    const issues: readonly ValidationIssue[] =
      repaired.issues.length > 0 ? repaired.issues : [{ path: "", message: "Invalid input: expected object", code: "invalid_type" }];
    return { data: finishValues(empty.data), issues };
  }
  throw new SessionValidationError(
    `the stored data of session "${sessionName}" cannot be repaired: not even an empty session fits its schema:${describeIssues(repaired.issues)}.`,
    repaired.issues,
    { cause: empty.error },
  );
}
