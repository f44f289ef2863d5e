import superjson from "superjson";

type Tree = [string] | [string, Record<string, Tree>];

/** Thrown when only superjson itself can read the payload (references, custom classes, old path syntax). */
const FALLBACK = Symbol("fallback");

const FORBIDDEN = new Set(["__proto__", "constructor", "prototype"]);

function parsePath(path: string): string[] {
  if (path.indexOf("\\") === -1) return path.split(".");
  const out: string[] = [];
  let segment = "";
  for (let i = 0; i < path.length; i++) {
    const char = path.charAt(i);
    if (char === "\\") {
      const next = path.charAt(i + 1);
      if (next !== "\\" && next !== ".") throw new Error("invalid path in superjson metadata");
      segment += next;
      i++;
    } else if (char === ".") {
      out.push(segment);
      segment = "";
    } else {
      segment += char;
    }
  }
  out.push(segment);
  return out;
}

function untransform(type: string, value: unknown): unknown {
  switch (type) {
    case "Date":
      return new Date(value as string);
    case "bigint":
      return BigInt(value as string);
    case "undefined":
      return undefined;
    case "map":
      return new Map(value as [unknown, unknown][]);
    case "set":
      return new Set(value as unknown[]);
    case "number":
      return value === "-0" ? -0 : Number(value);
    default:
      throw FALLBACK;
  }
}

/** Replaces the value at `path` (below `root`) with `fn(value)`; returns the new root. */
function setAt(root: unknown, path: readonly string[], fn: (value: unknown) => unknown): unknown {
  if (path.length === 0) return fn(root);
  let parent = root as Record<string, unknown>;
  for (let i = 0; i < path.length - 1; i++) {
    const segment = path[i] as string;
    if (FORBIDDEN.has(segment)) throw new Error("forbidden key in superjson metadata");
    parent = parent[segment] as Record<string, unknown>;
    if (typeof parent !== "object" || parent === null || parent instanceof Map || parent instanceof Set) throw FALLBACK;
  }
  const last = path[path.length - 1] as string;
  if (FORBIDDEN.has(last)) throw new Error("forbidden key in superjson metadata");
  parent[last] = fn(parent[last]);
  return root;
}

function apply(root: unknown, tree: Tree | Record<string, Tree>, origin: readonly string[]): unknown {
  if (!Array.isArray(tree)) {
    for (const key of Object.keys(tree)) root = apply(root, tree[key] as Tree, [...origin, ...parsePath(key)]);
    return root;
  }
  const [type, children] = tree;
  if (children !== undefined) {
    for (const key of Object.keys(children)) root = apply(root, children[key] as Tree, [...origin, ...parsePath(key)]);
  }
  return setAt(root, origin, (value) => untransform(type, value));
}

/** How superjson's text starts. */
const JSON_HEAD = '{"json":';
/** How superjson's text ends when it has metadata: superjson ≥ 2.2 (and the schema-compiled writer) put `"v":1` last. */
const META_TAIL = ',"v":1}}';
const CLOSE_BRACE = 0x7d;
/** What {@link plainValueOf} returns for text that is not `{"json":<value>}`. */
const NOT_PLAIN = Symbol("not plain");

/**
 * The value of text that starts `{"json":` and ends `}` but not as metadata does (in {@link META_TAIL}):
 * superjson's form for plain JSON, what most sessions hold, parsed without the wrapper object (`JSON.parse`
 * of the wrapper cost some 100-200 ns more a load). `<value>`, cut out between the head and the last `}`,
 * is valid JSON only when the wrapper held nothing but it (a `,"meta":…` or any other key leaves a
 * top-level comma), so what it parses to is what `payload.json` is; {@link NOT_PLAIN} otherwise.
 */
function plainValueOf(text: string): unknown {
  try {
    return JSON.parse(text.slice(JSON_HEAD.length, -1));
  } catch {
    return NOT_PLAIN; // metadata of an older superjson (no "v"), or not superjson's text: the full read decides
  }
}

/**
 * Reads text written by `superjson.stringify` (or by a schema-compiled serializer): the same result as
 * `superjson.parse`, faster for the common types (Date, BigInt, Map, Set, undefined, special numbers). Other
 * payloads go to superjson itself.
 */
export function parseSuperjson(text: string): unknown {
  if (text.charCodeAt(text.length - 1) === CLOSE_BRACE && text.startsWith(JSON_HEAD) && !text.endsWith(META_TAIL)) {
    const plain = plainValueOf(text);
    if (plain !== NOT_PLAIN) return plain;
  }
  const payload = JSON.parse(text) as {
    json?: unknown;
    meta?: { values?: Tree | Record<string, Tree>; referentialEqualities?: unknown; v?: number };
  };
  if (typeof payload !== "object" || payload === null) return superjson.parse(text);
  const meta = payload.meta;
  if (meta === undefined) return payload.json;
  if (meta.v !== 1 || meta.referentialEqualities !== undefined || meta.values === undefined) {
    return superjson.deserialize(payload as Parameters<typeof superjson.deserialize>[0]);
  }
  try {
    return apply(payload.json, meta.values, []);
  } catch (err) {
    if (err === FALLBACK) return superjson.parse(text);
    throw err;
  }
}
