/** Keys superjson refuses (its prototype-pollution guard): values holding them take superjson's own path. */
const GUARDED_KEYS = new Set(["__proto__", "constructor", "prototype"]);
const MAX_DEPTH = 64;

/**
 * Tells whether `value` is plain JSON that superjson would write with no `meta` at all: strings, booleans,
 * null, finite numbers other than -0, dense arrays and plain objects of those, no value twice (superjson
 * records shared references), no undefined, no keys superjson refuses, at most 64 levels deep. For such a
 * value `{"json":` + `JSON.stringify(value)` + `}` is exactly superjson's output, without its generic walk.
 */
export function isPlainJson(value: unknown, seen?: Set<object>, depth = 0): boolean {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(value) && !Object.is(value, -0);
    case "object": {
      if (value === null) return true;
      if (depth >= MAX_DEPTH || (seen !== undefined && seen.has(value))) return false;
      // The objects met so far, made only once there is a nested one (a flat session allocates none).
      seen?.add(value);
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          if (!(i in value)) return false;
          const item: unknown = value[i];
          if (typeof item === "object" && item !== null) seen ??= new Set([value]);
          if (!isPlainJson(item, seen, depth + 1)) return false;
        }
        return true;
      }
      if (Object.getPrototypeOf(value) !== Object.prototype) return false;
      for (const key in value) {
        const item = (value as Record<string, unknown>)[key];
        if (typeof item === "object" && item !== null) seen ??= new Set([value]);
        if (GUARDED_KEYS.has(key) || !isPlainJson(item, seen, depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}
