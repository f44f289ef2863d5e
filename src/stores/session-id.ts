import { randomBytesFromPool } from "../codec/random-pool.ts";
import { text } from "../internal/text.ts";

/** The length of a server-side session id in characters (and bytes: ids are ASCII). */
export const SESSION_ID_LENGTH = 43;

/** What a server-side session id looks like: 32 random bytes as unpadded URL-safe base64 (43 characters). */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** Generates a session id: 32 cryptographically random bytes, unpadded URL-safe base64. */
export function generateSessionId(): string {
  return text.base64Url(randomBytesFromPool(32));
}

/** 1 for each character code of the URL-safe base64 alphabet (A–Z, a–z, 0–9, `-`, `_`), else 0. */
const ID_CHARACTER = new Uint8Array(128);
for (const code of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ID_CHARACTER[code.charCodeAt(0)] = 1;

/**
 * Tells whether `id` matches {@link SESSION_ID_PATTERN}; check it before any backend or path sees the id.
 * A table lookup per character rather than the pattern: this runs on every load and save (a regular
 * expression's call costs more than the 43 lookups).
 */
export function isValidSessionId(id: unknown): id is string {
  if (typeof id !== "string" || id.length !== SESSION_ID_LENGTH) return false;
  for (let i = 0; i < SESSION_ID_LENGTH; i++) {
    if (ID_CHARACTER[id.charCodeAt(i)] !== 1) return false; // a code of 128 or more reads undefined
  }
  return true;
}
