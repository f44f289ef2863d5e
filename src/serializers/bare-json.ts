import type { Serializer } from "./serializers.ts";

/** How superjson's text starts; text of a session's values that starts otherwise is their bare JSON. */
const JSON_HEAD = '{"json":';

/**
 * The serializers that write superjson's text (the default one and the schema-compiled ones), each with its
 * writer of a session payload's body: for values that are plain JSON, their JSON text alone, without
 * superjson's `{"json":…}` wrapper (9 bytes, some 16 characters of an encrypted cookie); for the rest,
 * superjson's text. A payload body is read by {@link readBody}.
 */
const bodyWriters = new WeakMap<Serializer, (values: unknown) => string>();

/** Registers `serializer` as one that writes superjson's text, with `writeBody` writing a payload's body (see {@link bareJson}). */
export function registerBodyWriter(serializer: Serializer, writeBody: (values: unknown) => string): void {
  bodyWriters.set(serializer, writeBody);
}

/** The payload body writer of a serializer that writes superjson's text; undefined for any other serializer. */
export function bodyWriterOf(serializer: Serializer): ((values: unknown) => string) | undefined {
  return bodyWriters.get(serializer);
}

/**
 * The body of plain-JSON values whose JSON text is `json`: that text, unless it starts as superjson's does
 * (values whose first key is "json"), which stays in superjson's wrapper so that {@link readBody} tells the two apart.
 */
export function bareJson(json: string): string {
  return json.startsWith(JSON_HEAD) ? `${JSON_HEAD}${json}}` : json;
}

/** superjson's text of plain-JSON values whose JSON text is `json` (no metadata), or with `bare` their {@link bareJson} body. */
export function plainJsonText(json: string, bare: boolean): string {
  return bare ? bareJson(json) : `${JSON_HEAD}${json}}`;
}

/**
 * Reads a payload body a superjson-text serializer's body writer wrote (or, from before bodies were bare, its
 * `stringify`): superjson's text, starting `{"json":`, through `serializer.parse`; anything else as the JSON
 * text it is.
 */
export function readBody(serializer: Serializer, body: string): unknown {
  return body.startsWith(JSON_HEAD) ? (serializer.parse as (text: string) => unknown)(body) : JSON.parse(body);
}
