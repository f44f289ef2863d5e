import type { Serializer } from "./serializers.ts";

let unserializable = 0;

/**
 * The serialized form of `{ [key]: value }` as `serializer` writes it, as text: what tells two values apart
 * as stored data. A value the serializer refuses gets a form no other equals (a save then reports the
 * refusal itself).
 */
export function valueForm(serializer: Serializer, key: string, value: unknown): string {
  const one = { [key]: value };
  try {
    if (serializer.stringify !== undefined) return serializer.stringify(one);
    const bytes = serializer.serialize(one);
    let text = "";
    for (let i = 0; i < bytes.length; i += 8192) text += String.fromCharCode(...bytes.subarray(i, i + 8192));
    return text;
  } catch {
    return `\u0000unserializable ${++unserializable}`;
  }
}
