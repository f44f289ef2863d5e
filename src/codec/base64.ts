/**
 * URL-safe base64 *with* padding, exactly as Go's `base64.URLEncoding` writes it (gorilla/securecookie's
 * format). Decoding is strict: only the URL-safe alphabet, a length that is a multiple of four, exactly the
 * padding the length calls for, and canonical trailing bits — so no two strings decode to the same bytes
 * and every single-character change of an encoded value is detected.
 */

const PADDING = ["", "===", "==", "="] as const;

/** Encodes bytes as padded URL-safe base64. */
export function encodeBase64(bytes: Uint8Array): string {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = buf.toString("base64url");
  return text + PADDING[text.length % 4];
}

/** Decodes padded URL-safe base64; returns `undefined` for anything that is not its canonical form. */
export function decodeBase64(text: string): Buffer | undefined {
  if (text.length % 4 !== 0) return undefined;
  let end = text.length;
  while (end > 0 && end > text.length - 2 && text.charCodeAt(end - 1) === 61 /* = */) end--;
  const body = end === text.length ? text : text.slice(0, end);
  const bytes = Buffer.from(body, "base64url");
  // Node's decoder skips characters outside the alphabet and accepts "+" and "/"; re-encoding and comparing
  // (both native and fast) refuses all of those, non-canonical trailing bits, and wrong padding at once.
  const canonical = bytes.toString("base64url");
  if (canonical !== body || PADDING[canonical.length % 4] !== text.slice(end)) return undefined;
  return bytes;
}
