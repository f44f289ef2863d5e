/**
 * Base64 in plain JavaScript, for the WebCrypto codec and the key readers: the same strict rules as
 * node-base64.ts (which uses Node's native decoder) and the same results, without `Buffer`. Text and bytes
 * cross through the native TextEncoder and TextDecoder (ASCII is the same in UTF-8), and decoding looks every
 * byte up in a table, so anything outside the alphabet (whitespace, "=" inside the text, the other
 * alphabet) is refused as it is met; a character above U+007F makes the text longer in UTF-8 than in
 * characters, and is refused for that: there is no low-byte alias to guard against here.
 */

const URL_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const STANDARD_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const EQUALS = 61;

/** The value of each byte as a character of an alphabet; -1 for one outside it. */
function valuesOf(alphabet: string): Int8Array {
  const values = new Int8Array(256).fill(-1);
  for (let i = 0; i < alphabet.length; i++) values[alphabet.charCodeAt(i)] = i;
  return values;
}

const URL_VALUES = valuesOf(URL_ALPHABET);
const STANDARD_VALUES = valuesOf(STANDARD_ALPHABET);
const URL_CODES = Uint8Array.from(URL_ALPHABET, (char) => char.charCodeAt(0));
const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** Where {@link asciiBytes} writes: reused, grown as needed (every use is synchronous). */
let scratch = new Uint8Array(1024);

/** Encodes bytes as padded URL-safe base64, as Go's `base64.URLEncoding` writes it. */
export function encodeBase64(bytes: Uint8Array): string {
  const out = new Uint8Array(Math.ceil(bytes.length / 3) * 4);
  let o = 0;
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out[o++] = URL_CODES[n >>> 18] as number;
    out[o++] = URL_CODES[(n >>> 12) & 63] as number;
    out[o++] = URL_CODES[(n >>> 6) & 63] as number;
    out[o++] = URL_CODES[n & 63] as number;
  }
  if (i < bytes.length) {
    const two = i + 1 < bytes.length;
    const n = ((bytes[i] as number) << 16) | (two ? (bytes[i + 1] as number) << 8 : 0);
    out[o++] = URL_CODES[n >>> 18] as number;
    out[o++] = URL_CODES[(n >>> 12) & 63] as number;
    out[o++] = two ? (URL_CODES[(n >>> 6) & 63] as number) : EQUALS;
    out[o++] = EQUALS;
  }
  return decoder.decode(out);
}

/** The bytes of `text` when it is all ASCII (a view of a reused buffer, valid until the next call); else undefined. */
function asciiBytes(text: string): Uint8Array | undefined {
  if (scratch.length < text.length) scratch = new Uint8Array(Math.max(text.length, scratch.length * 2));
  const { read, written } = encoder.encodeInto(text, scratch.subarray(0, text.length));
  return read === text.length && written === text.length ? scratch.subarray(0, text.length) : undefined;
}

/**
 * Decodes `text.slice(0, end)` (unpadded) with `values` into `target` at `offset`; returns the number of bytes
 * written, or -1 for a character outside the alphabet, a length that leaves one character over, or (with
 * `canonical`) trailing bits that are not zero.
 */
function decodeUnpadded(text: string, end: number, values: Int8Array, target: Uint8Array, offset: number, canonical: boolean): number {
  const rest = end % 4;
  if (rest === 1) return -1;
  const chars = asciiBytes(text);
  if (chars === undefined) return -1;
  let out = offset;
  let i = 0;
  for (; i + 4 <= end; i += 4) {
    const a = values[chars[i] as number] as number;
    const b = values[chars[i + 1] as number] as number;
    const c = values[chars[i + 2] as number] as number;
    const d = values[chars[i + 3] as number] as number;
    if ((a | b | c | d) < 0) return -1;
    const n = (a << 18) | (b << 12) | (c << 6) | d;
    target[out++] = n >>> 16;
    target[out++] = (n >>> 8) & 0xff;
    target[out++] = n & 0xff;
  }
  if (rest === 2) {
    const a = values[chars[i] as number] as number;
    const b = values[chars[i + 1] as number] as number;
    if ((a | b) < 0 || (canonical && (b & 0x0f) !== 0)) return -1;
    target[out++] = (a << 2) | (b >>> 4);
  } else if (rest === 3) {
    const a = values[chars[i] as number] as number;
    const b = values[chars[i + 1] as number] as number;
    const c = values[chars[i + 2] as number] as number;
    if ((a | b | c) < 0 || (canonical && (c & 0x03) !== 0)) return -1;
    const n = (a << 10) | (b << 4) | (c >>> 2);
    target[out++] = n >>> 8;
    target[out++] = n & 0xff;
  }
  return out - offset;
}

/** The length of `text` without its padding, or -1 when it cannot be padded base64 (length not a multiple of 4). */
function unpaddedLength(text: string): number {
  const length = text.length;
  if (length % 4 !== 0) return -1;
  if (length === 0 || text.charCodeAt(length - 1) !== EQUALS) return length;
  return text.charCodeAt(length - 2) === EQUALS ? length - 2 : length - 1;
}

/** The most bytes a padded base64 text of this length decodes to. */
export function decodedLengthAtMost(text: string): number {
  return Math.ceil(text.length / 4) * 3;
}

/**
 * Decodes canonical padded URL-safe base64 into `target` at `offset` (which must have room for
 * {@link decodedLengthAtMost} bytes); returns the number of bytes written, or `undefined` for anything that is
 * not canonical: a length that is not a multiple of four, a character outside the URL-safe alphabet, padding
 * other than the length calls for, trailing bits that are not zero.
 */
export function decodeBase64Into(text: string, target: Uint8Array, offset: number): number | undefined {
  const end = unpaddedLength(text);
  if (end < 0) return undefined;
  const written = decodeUnpadded(text, end, URL_VALUES, target, offset, true);
  return written < 0 ? undefined : written;
}

function decodePadded(text: string, canonical: boolean): Uint8Array<ArrayBuffer> | undefined {
  const end = unpaddedLength(text);
  if (end < 0) return undefined;
  const bytes = new Uint8Array(decodedLengthAtMost(text));
  const written = decodeUnpadded(text, end, URL_VALUES, bytes, 0, canonical);
  return written < 0 ? undefined : bytes.subarray(0, written);
}

/** Decodes padded URL-safe base64; returns `undefined` for anything that is not its canonical form. */
export function decodeBase64(text: string): Uint8Array<ArrayBuffer> | undefined {
  return decodePadded(text, true);
}

/**
 * Decodes padded URL-safe base64 that is already authenticated (covered by a verified MAC): the trailing
 * bits are not checked (Go's decoder does not check them either); characters outside the URL-safe alphabet
 * are still refused, as Go's `URLEncoding` refuses them.
 */
export function decodeAuthenticatedBase64(text: string): Uint8Array<ArrayBuffer> | undefined {
  return decodePadded(text, false);
}

/**
 * Decodes canonical unpadded base64 in one `alphabet` (`"url"`: `-_`, `"standard"`: `+/`); `undefined` for a
 * character outside it, a length that leaves one character over, or trailing bits that are not zero.
 */
export function decodeUnpaddedBase64(text: string, alphabet: "url" | "standard"): Uint8Array<ArrayBuffer> | undefined {
  const bytes = new Uint8Array(decodedLengthAtMost(text));
  const written = decodeUnpadded(text, text.length, alphabet === "url" ? URL_VALUES : STANDARD_VALUES, bytes, 0, true);
  return written < 0 ? undefined : bytes.subarray(0, written);
}
