import superjson from "superjson";
import { isPlainJson } from "./plain-json.ts";

/** Turns values into bytes and back. Throwing is fine: the codec wraps errors in typed ones. */
export interface Serializer {
  /** Returns the bytes of `value`; throws for a value it cannot write. */
  serialize(value: unknown): Uint8Array;
  /** Returns the value `bytes` stand for; throws for bytes it cannot read. */
  deserialize(bytes: Uint8Array): unknown;
}

/** The built-in serializers by name. */
export type SerializerName = "superjson" | "json" | "raw";

function text(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
}

/**
 * JSON as gorilla/securecookie's `JSONEncoder` writes it: the JSON text and a trailing newline.
 * Interoperates with Go services. Values are limited to what JSON can carry.
 */
export const jsonSerializer: Serializer = {
  serialize(value) {
    const json = JSON.stringify(value);
    if (json === undefined) throw new TypeError(`${typeof value} cannot be written as JSON`);
    return Buffer.from(json + "\n", "utf8");
  },
  deserialize(bytes) {
    return JSON.parse(text(bytes));
  },
};

/**
 * superjson: JSON that keeps Dates, Maps, Sets, BigInts, RegExps, undefined and more. Values that are plain
 * JSON are written without superjson's generic walk, to the same bytes superjson writes for them.
 */
export const superjsonSerializer: Serializer = {
  serialize(value) {
    const text = isPlainJson(value) ? `{"json":${JSON.stringify(value)}}` : superjson.stringify(value);
    return Buffer.from(text, "utf8");
  },
  deserialize(bytes) {
    return superjson.parse(text(bytes));
  },
};

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
