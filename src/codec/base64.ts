/**
 * URL-safe base64 *with* padding, exactly as Go's `base64.URLEncoding` writes it (gorilla/securecookie's
 * format). Decoding is strict: only the URL-safe alphabet, a length that is a multiple of four, at most two
 * padding characters, and canonical trailing bits — so no two strings decode to the same bytes and every
 * single-character change of an encoded value is detected.
 */

const PADDING = ["", "===", "==", "="] as const;
const VALID = /^[A-Za-z0-9_-]*(?:[A-Za-z0-9_-]{2}==|[A-Za-z0-9_-]{3}=)?$/;

/** Encodes bytes as padded URL-safe base64. */
export function encodeBase64(bytes: Uint8Array): string {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = buf.toString("base64url");
  return text + PADDING[text.length % 4];
}

/** Value of one base64 alphabet character (either alphabet); -1 when not one. */
function sextet(code: number): number {
  if (code >= 65 && code <= 90) return code - 65;
  if (code >= 97 && code <= 122) return code - 71;
  if (code >= 48 && code <= 57) return code + 4;
  if (code === 45) return 62;
  if (code === 95) return 63;
  return -1;
}

/** Decodes padded URL-safe base64; returns `undefined` for anything that is not its canonical form. */
export function decodeBase64(text: string): Buffer | undefined {
  if (text.length % 4 !== 0 || !VALID.test(text)) return undefined;
  let pads = 0;
  if (text.endsWith("==")) pads = 2;
  else if (text.endsWith("=")) pads = 1;
  if (pads > 0) {
    // The last data character must not carry bits beyond the encoded bytes.
    const last = sextet(text.charCodeAt(text.length - pads - 1));
    const mask = pads === 2 ? 0x0f : 0x03;
    if ((last & mask) !== 0) return undefined;
  }
  return Buffer.from(pads === 0 ? text : text.slice(0, -pads), "base64url");
}
