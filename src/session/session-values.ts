import { SessionError } from "../errors.ts";

/** Names a value's type for error messages, never the value itself (it may be a token or other secret). */
function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (value instanceof Date) return "a Date";
  if (typeof value === "string") return `a string of ${value.length} characters`;
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

function wrongType(session: string, key: string, wanted: string, value: unknown): SessionError {
  return new SessionError(
    "wrong_value_type",
    `session "${session}" holds ${describe(value)} under "${key}", not ${wanted}; pass a default to fall back to, or fix what is stored.`,
  );
}

/**
 * Reads `value` as `wanted` with `convert` (which returns `undefined` when it cannot); a missing value gives
 * `fallback`, a wrong one gives `fallback` when one is given and a `wrong_value_type` error otherwise.
 */
export function readTyped<T>(
  session: string,
  key: string,
  value: unknown,
  wanted: string,
  convert: (value: unknown) => T | undefined,
  fallback: T | undefined,
  hasFallback: boolean,
): T | undefined {
  if (value === undefined) return fallback;
  const converted = convert(value);
  if (converted !== undefined) return converted;
  if (hasFallback) return fallback;
  throw wrongType(session, key, wanted, value);
}

const INTEGER_TEXT = /^[+-]?\d{1,16}$/;
const NUMBER_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Converts to a string: strings only. */
export function asString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** Converts to a safe integer: integers, integer bigints and integer strings ("42"); never NaN. */
export function asInt(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isSafeInteger(value) ? value : undefined;
  if (typeof value === "bigint") {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : undefined;
  }
  if (typeof value === "string" && INTEGER_TEXT.test(value)) {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : undefined;
  }
  return undefined;
}

/** Converts to a finite number: finite numbers and decimal strings ("1.5"); never NaN or Infinity. */
export function asNumber(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value === "string" && NUMBER_TEXT.test(value)) {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** Converts to a boolean: booleans and the strings "true" / "false". */
export function asBoolean(value: unknown): boolean | undefined {
  if (typeof value === "boolean") return value;
  if (value === "true") return true;
  if (value === "false") return false;
  return undefined;
}

/** Throws `wrong_value_type` for a counter that is not a finite number. */
export function counterValue(session: string, key: string, value: unknown): number {
  if (value === undefined) return 0;
  if (typeof value === "number" && Number.isFinite(value)) return value;
  throw wrongType(session, key, "a number to count with", value);
}

/**
 * Returns the own enumerable string-keyed values of `values` as a Map, as `new Map(Object.entries(values))`
 * does, without the pair arrays nor a key array (`for…in` over V8's enum cache): every load builds one.
 */
export function mapOf(values: Readonly<Record<string, unknown>>): Map<string, unknown> {
  const map = new Map<string, unknown>();
  for (const key in values) if (Object.hasOwn(values, key)) map.set(key, values[key]);
  return map;
}

/**
 * Returns the values of `map` as a plain object, as `Object.fromEntries` does (a `__proto__` key stays an own
 * property) at a fifth of its cost on a Map: every save builds one.
 */
export function objectOf(map: ReadonlyMap<string, unknown>): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const [key, value] of map) {
    if (key === "__proto__") Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
    else object[key] = value;
  }
  return object;
}
