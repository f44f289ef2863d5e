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

/** Tells whether `id` matches {@link SESSION_ID_PATTERN}; check it before any backend or path sees the id. */
export function isValidSessionId(id: unknown): id is string {
  return typeof id === "string" && SESSION_ID_PATTERN.test(id);
}
