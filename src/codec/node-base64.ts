/**
 * URL-safe base64 *with* padding for the node:crypto codec, on Node's native Buffer codec (portable-base64.ts
 * is the same without Buffer), exactly as Go's `base64.URLEncoding` writes it (gorilla/securecookie's
 * format). Decoding is strict: only the URL-safe alphabet, a length that is a multiple of four, exactly the
 * padding the length calls for, and canonical trailing bits — so no two strings decode to the same bytes
 * and every single-character change of an encoded value is detected.
 *
 * Every character is checked against the alphabet *before* Node decodes: Node's decoder reads only the low
 * byte of each UTF-16 unit of a JS string, so "Ū" (U+016A) would decode exactly like "j" (U+006A) and a
 * respelled cookie would keep its bytes and its MAC.
 */

import { Buffer } from "./node-crypto.ts";

const PADDING = ["", "===", "==", "="] as const;
const EQUALS = 61;

/** Encodes bytes as padded URL-safe base64. */
export function encodeBase64(bytes: Uint8Array): string {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = buf.toString("base64url");
  return text + PADDING[text.length % 4];
}

/** Value of one URL-safe base64 character; -1 when not one. */
function sextet(code: number): number {
  if (code >= 65 && code <= 90) return code - 65;
  if (code >= 97 && code <= 122) return code - 71;
  if (code >= 48 && code <= 57) return code + 4;
  if (code === 45) return 62;
  if (code === 95) return 63;
  return -1;
}

/** Counts the padding characters a base64 text ends with (0, 1 or 2). */
function paddingOf(text: string): number {
  const length = text.length;
  if (length === 0 || text.charCodeAt(length - 1) !== EQUALS) return 0;
  return text.charCodeAt(length - 2) === EQUALS ? 2 : 1;
}

/**
 * Tells, before anything is decoded, whether `text` can be padded URL-safe base64: a length that is a
 * multiple of four, nothing but ASCII (Node's decoder reads only the low byte of each UTF-16 unit, so "Ū"
 * would pass for "j"), and neither "+" nor "/" (the other alphabet). Whatever else Node's decoder skips
 * (whitespace, any other character, a misplaced "=") shows as a short result in {@link checkDecoded}. With
 * `canonical`, the trailing bits the padding leaves unused must also be zero. Every test here is a native
 * scan (a regex over the alphabet cost ≈ 2–3 ns a character, a few µs for a 1 KB session): this runs on
 * every request.
 */
function isPaddedBase64Url(text: string, canonical: boolean): boolean {
  if (text.length % 4 !== 0 || Buffer.byteLength(text, "utf8") !== text.length) return false;
  if (text.indexOf("+") !== -1 || text.indexOf("/") !== -1) return false;
  const pads = paddingOf(text);
  return !canonical || pads === 0 || (sextet(text.charCodeAt(text.length - pads - 1)) & (pads === 2 ? 0x0f : 0x03)) === 0;
}

/**
 * A last check of what Node's native decoder wrote for `text` (already checked by {@link isPaddedBase64Url}):
 * anything it skipped would show up as a short result.
 */
function checkDecoded(text: string, written: number): boolean {
  return written === (text.length / 4) * 3 - paddingOf(text);
}

function decodePadded(text: string, canonical: boolean): Buffer | undefined {
  if (!isPaddedBase64Url(text, canonical)) return undefined;
  const bytes = Buffer.from(text, "base64url");
  return checkDecoded(text, bytes.length) ? bytes : undefined;
}

/** The most bytes a padded base64 text of this length decodes to. */
export function decodedLengthAtMost(text: string): number {
  return Math.ceil(text.length / 4) * 3;
}

/**
 * Decodes canonical padded URL-safe base64 into `target` at `offset` (which must have room for
 * {@link decodedLengthAtMost} bytes), with the checks of {@link decodeBase64}; returns the number of bytes
 * written, or `undefined` for anything that is not canonical.
 */
export function decodeBase64Into(text: string, target: Buffer, offset: number): number | undefined {
  if (!isPaddedBase64Url(text, true)) return undefined;
  const written = target.write(text, offset, "base64url");
  return checkDecoded(text, written) ? written : undefined;
}

/** Decodes padded URL-safe base64; returns `undefined` for anything that is not its canonical form. */
export function decodeBase64(text: string): Buffer | undefined {
  return decodePadded(text, true);
}

/**
 * Decodes padded URL-safe base64 that is already authenticated (covered by a verified MAC): only a key
 * holder can have written it, so the canonical-form checks are skipped (Go's decoder does not make them
 * either); characters outside the URL-safe alphabet (including "+", "/" and anything above U+007F) are still
 * refused, as Go's `URLEncoding` refuses them.
 */
export function decodeAuthenticatedBase64(text: string): Buffer | undefined {
  return decodePadded(text, false);
}
