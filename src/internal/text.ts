// Text ⇄ bytes for the runtime-neutral core: Node's Buffer where the runtime has it (its encoder is several
// times faster than TextEncoder on short strings in Node 20), TextEncoder, TextDecoder and plain loops
// elsewhere. Both give the same bytes and the same strings (tested side by side).
import type { Buffer as NodeBuffer } from "node:buffer";
import { encodeBase64 } from "../codec/portable-base64.ts";
import { nodeBuiltin } from "./node-builtins.ts";

/** The text conversions the core uses. */
export interface TextCodec {
  /** Returns the UTF-8 bytes of `text` (a lone surrogate becomes U+FFFD). */
  utf8Bytes(text: string): Uint8Array;
  /** Returns the text of UTF-8 `bytes` (malformed sequences become U+FFFD; a leading BOM is kept). */
  utf8Text(bytes: Uint8Array): string;
  /** Returns how many bytes `text` takes in UTF-8. */
  utf8Length(text: string): number;
  /** Returns one character per byte of `bytes[start, end)` (ISO-8859-1, not windows-1252). */
  latin1Text(bytes: Uint8Array, start?: number, end?: number): string;
  /** Returns the low byte of each UTF-16 unit of `text`. */
  latin1Bytes(text: string): Uint8Array;
  /** Returns `bytes` as unpadded URL-safe base64 (session ids, CSRF tokens, digests). */
  base64Url(bytes: Uint8Array): string;
}

/** `String.fromCharCode` takes its arguments on the stack: convert long inputs in slices of this many bytes. */
const SLICE = 8192;

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });

/** The conversions without Node: TextEncoder, TextDecoder and loops. */
export const portableText: TextCodec = {
  utf8Bytes: (text) => encoder.encode(text),
  utf8Text: (bytes) => decoder.decode(bytes),
  utf8Length(text) {
    let length = text.length;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code < 0x80) continue;
      if (code < 0x800) length += 1;
      else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
        length += 2; // a surrogate pair: 4 bytes for 2 units
        i++;
      } else length += 2; // 3 bytes, lone surrogates included (U+FFFD)
    }
    return length;
  },
  latin1Text(bytes, start = 0, end = bytes.length) {
    let text = "";
    for (let i = start; i < end; i += SLICE) text += String.fromCharCode(...bytes.subarray(i, Math.min(end, i + SLICE)));
    return text;
  },
  latin1Bytes(text) {
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    return bytes;
  },
  base64Url(bytes) {
    const padded = encodeBase64(bytes);
    const pads = padded.endsWith("==") ? 2 : padded.endsWith("=") ? 1 : 0;
    return padded.slice(0, padded.length - pads);
  },
};

/** The conversions through Node's Buffer: views, no copies, where the portable ones would copy. */
function bufferText(Buffer: typeof NodeBuffer): TextCodec {
  const view = (bytes: Uint8Array) => (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return {
    utf8Bytes: (text) => Buffer.from(text, "utf8"),
    utf8Text: (bytes) => view(bytes).toString("utf8"),
    utf8Length: (text) => Buffer.byteLength(text, "utf8"),
    latin1Text: (bytes, start = 0, end = bytes.length) => view(bytes).toString("latin1", start, end),
    latin1Bytes: (text) => Buffer.from(text, "latin1"),
    base64Url: (bytes) => view(bytes).toString("base64url"),
  };
}

const nodeBuffer = nodeBuiltin("node:buffer")?.Buffer;

/** The conversions of this runtime: Node's Buffer where there is one, else {@link portableText}. */
export const text: TextCodec = nodeBuffer === undefined ? portableText : bufferText(nodeBuffer);

/** Tells whether `a` and `b` hold the same bytes (not in constant time: for keys at setup, never for MACs). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
