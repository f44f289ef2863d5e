/**
 * URL-safe base64 *with* padding, exactly as Go's `base64.URLEncoding` writes it (gorilla/securecookie's
 * format). Decoding is strict: only the URL-safe alphabet, a length that is a multiple of four, exactly the
 * padding the length calls for, and canonical trailing bits — so no two strings decode to the same bytes
 * and every single-character change of an encoded value is detected.
 */

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

/**
 * Decodes padded URL-safe base64 with Node's native decoder, then refuses what that decoder tolerates:
 * skipped characters (whitespace, anything outside the alphabet, a misplaced "=") show up as a short
 * result; "+" and "/" (the other alphabet) and non-zero trailing bits are checked directly.
 */
function decodePadded(text: string, canonical: boolean): Buffer | undefined {
  const length = text.length;
  if (length % 4 !== 0) return undefined;
  let pads = 0;
  if (length > 0 && text.charCodeAt(length - 1) === EQUALS) pads = text.charCodeAt(length - 2) === EQUALS ? 2 : 1;
  const bytes = Buffer.from(text, "base64url");
  if (bytes.length !== (length / 4) * 3 - pads) return undefined;
  if (canonical) {
    if (text.indexOf("+") >= 0 || text.indexOf("/") >= 0) return undefined;
    if (pads > 0 && (sextet(text.charCodeAt(length - pads - 1)) & (pads === 2 ? 0x0f : 0x03)) !== 0) return undefined;
  }
  return bytes;
}

/** Decodes padded URL-safe base64; returns `undefined` for anything that is not its canonical form. */
export function decodeBase64(text: string): Buffer | undefined {
  return decodePadded(text, true);
}

/**
 * Decodes padded URL-safe base64 that is already authenticated (covered by a verified MAC): only a key
 * holder can have written it, so the canonical-form checks are skipped (Go's decoder does not make them
 * either); characters outside the alphabet are still refused.
 */
export function decodeAuthenticatedBase64(text: string): Buffer | undefined {
  return decodePadded(text, false);
}
