import superjson from "superjson";
import { text } from "../internal/text.ts";
import { plainJsonText, registerBodyWriter } from "./bare-json.ts";
import { isPlainJson } from "./plain-json.ts";
import { parseSuperjson } from "./superjson-reader.ts";

/** Turns values into bytes and back. Throwing is fine: the codec wraps errors in typed ones. */
export interface Serializer {
  /** Returns the bytes of `value`; throws for a value it cannot write. */
  serialize(value: unknown): Uint8Array;
  /** Returns the value `bytes` stand for; throws for bytes it cannot read. */
  deserialize(bytes: Uint8Array): unknown;
  /**
   * Returns `value` as text whose UTF-8 bytes are what `serialize` returns. Text serializers give it (and
   * `parse`) so that stores can build the session payload as one string, without a buffer in between.
   * @default absent: stores use `serialize`
   */
  stringify?(value: unknown): string;
  /** Reads what `stringify` wrote: the same value as `deserialize` of its UTF-8 bytes. @default absent */
  parse?(text: string): unknown;
}

/** The built-in serializers by name. */
export type SerializerName = "superjson" | "json" | "raw";

/**
 * JSON as gorilla/securecookie's `JSONEncoder` writes it: the JSON text and a trailing newline.
 * Interoperates with Go services. Values are limited to what JSON can carry.
 */
export const jsonSerializer: Serializer = {
  serialize(value) {
    return text.utf8Bytes(jsonSerializer.stringify!(value));
  },
  deserialize(bytes) {
    return JSON.parse(text.utf8Text(bytes));
  },
  stringify(value) {
    const json = JSON.stringify(value);
    if (json === undefined) throw new TypeError(`${typeof value} cannot be written as JSON`);
    return `${json}\n`;
  },
  parse: (text) => JSON.parse(text),
};

/**
 * superjson: JSON that keeps Dates, Maps, Sets, BigInts, RegExps, undefined and more. Values that are plain
 * JSON are written without superjson's generic walk, to the same bytes superjson writes for them, and the
 * common types are read without it too (the same values `superjson.parse` returns).
 */
export const superjsonSerializer: Serializer = {
  serialize(value) {
    return text.utf8Bytes(superjsonSerializer.stringify!(value));
  },
  deserialize(bytes) {
    return parseSuperjson(text.utf8Text(bytes));
  },
  stringify: (value) => superjsonText(value, false),
  parse: parseSuperjson,
};
registerBodyWriter(superjsonSerializer, (value) => superjsonText(value, true));

/** superjson's text of `value` (without its walk for plain JSON), or with `bare` a payload body (see bare-json.ts). */
function superjsonText(value: unknown, bare: boolean): string {
  return isPlainJson(value) ? plainJsonText(JSON.stringify(value), bare) : superjson.stringify(value);
}

/** No serialization: bytes in, a `Uint8Array` out (gorilla's `NopEncoder`). */
export const rawSerializer: Serializer = {
  serialize(value) {
    if (value instanceof Uint8Array) return value;
    throw new TypeError(`the raw serializer takes a Uint8Array, got ${value === null ? "null" : typeof value}`);
  },
  deserialize(bytes) {
    return new Uint8Array(bytes);
  },
};

/** Resolves a serializer option to a serializer. */
export function resolveSerializer(option: SerializerName | Serializer | undefined): Serializer {
  switch (option) {
    case undefined:
    case "superjson":
      return superjsonSerializer;
    case "json":
      return jsonSerializer;
    case "raw":
      return rawSerializer;
    default:
      return option;
  }
}
