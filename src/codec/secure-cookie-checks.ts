// What both codecs (node-secure-cookie.ts, web-secure-cookie.ts) check and how they fail, in one place, so
// a cookie is refused with the same SessionError code and message whichever one reads it.
import { causeSummary, scrubbedCause } from "../serializers/cause-summary.ts";
import { SessionError } from "../errors.ts";
import { text } from "../internal/text.ts";
import type { Serializer } from "../serializers/serializers.ts";

/** AES block size: the length of the random IV prepended to the ciphertext. */
export const IV_LENGTH = 16;
/** `|`, between name, timestamp, payload and MAC. */
export const PIPE = 0x7c;
/** HMAC-SHA256's output, in bytes. */
export const MAC_LENGTH = 32;
const MAX_INT64 = 9223372036854775807n;
const MIN_INT64 = -9223372036854775808n;

/** The checks gorilla/securecookie makes, in seconds and characters (0 = no limit). */
export interface Limits {
  readonly maxAge: number;
  readonly minAge: number;
  readonly maxLength: number;
  readonly now: () => number;
}

/** Returns the serializer's bytes of `value`; throws `serialize_failed` when it refuses the value. */
export function serializeValue(serializer: Serializer, name: string, value: unknown): Uint8Array {
  try {
    return serializer.serialize(value);
  } catch (cause) {
    throw new SessionError(
      "serialize_failed",
      `the value for "${name}" could not be serialized (${(cause as Error)?.message ?? cause}). Store only values the serializer supports: plain JSON for "json", superjson types for "superjson", a Uint8Array for "raw".`,
      { cause },
    );
  }
}

/** Throws `encoded_too_long` when an encoded `cookie` is over `maxLength`. */
export function checkEncodedLength(name: string, cookie: string, limits: Limits): void {
  if (limits.maxLength !== 0 && cookie.length > limits.maxLength) {
    throw new SessionError(
      "encoded_too_long",
      `the encoded value for "${name}" is ${cookie.length} characters, over maxLength ${limits.maxLength}. Store less in it, move the data to a server-side store, or raise maxLength.`,
    );
  }
}

/** Throws for a value to decode that is not a string, or (unread) longer than `maxLength` bytes. */
export function checkCookieInput(name: string, cookie: string, limits: Limits): void {
  if (typeof cookie !== "string") {
    throw new SessionError("invalid_base64", `the value for "${name}" is not a string.`);
  }
  if (limits.maxLength !== 0 && cookie.length * 3 > limits.maxLength && text.utf8Length(cookie) > limits.maxLength) {
    throw new SessionError(
      "value_too_long",
      `the value for "${name}" is longer than maxLength ${limits.maxLength}; it was refused unread. Raise maxLength if such values are legitimate.`,
    );
  }
}

/** The error for a cookie that is not canonical URL-safe base64. */
export function invalidBase64(name: string): SessionError {
  return new SessionError("invalid_base64", `the value for "${name}" is not URL-safe base64; it was not written by this codec.`);
}

/** The error for a cookie no key verifies (or not shaped `timestamp|payload|mac`). */
export function invalidMac(name: string): SessionError {
  return new SessionError(
    "invalid_mac",
    `the value for "${name}" has no valid signature: it was tampered with, or signed with another key or under another name. Treat it as absent.`,
  );
}

/** Tells whether `text` is an optional sign and one or more ASCII digits (`/^[+-]?[0-9]+$/`, without a regex call on every load). */
export function isIntegerText(text: string): boolean {
  const first = text.charCodeAt(0);
  let i = first === 0x2b || first === 0x2d ? 1 : 0;
  if (i >= text.length) return false;
  for (; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x30 || code > 0x39) return false;
  }
  return true;
}

function parseTimestamp(name: string, digits: string): number {
  if (!isIntegerText(digits)) {
    throw new SessionError("invalid_timestamp", `the value for "${name}" carries an unreadable timestamp.`);
  }
  if (digits.length > 15) {
    const big = BigInt(digits);
    if (big > MAX_INT64 || big < MIN_INT64) {
      throw new SessionError("invalid_timestamp", `the value for "${name}" carries an out-of-range timestamp.`);
    }
  }
  return Number(digits);
}

/** Checks the signed timestamp of an authentic value against `minAge` and `maxAge`. */
export function checkAge(name: string, timestampText: string, limits: Limits): void {
  const timestamp = parseTimestamp(name, timestampText);
  const now = Math.floor(limits.now());
  if (limits.minAge !== 0 && timestamp > now - limits.minAge) {
    throw new SessionError("too_new", `the value for "${name}" is younger than minAge ${limits.minAge}s; it was refused.`);
  }
  if (limits.maxAge !== 0 && timestamp < now - limits.maxAge) {
    throw new SessionError(
      "expired",
      `the value for "${name}" is older than maxAge ${limits.maxAge}s; treat it as absent and start a new session.`,
    );
  }
}

/**
 * The parts of a decoded cookie `timestamp|payload|mac`, before its MAC is checked against a key: `bytes` is
 * a view into `signing`, the buffer the MAC input is written into around it (so checking it under each key
 * copies nothing), starting at `offset`.
 */
export interface EnvelopeParts<B extends Uint8Array> {
  /** The decoded cookie. */
  readonly bytes: B;
  /** The MAC input's buffer: whatever the codec puts before `offset` (the name, `|`), then `bytes`. */
  readonly signing: B;
  /** Where `bytes` starts in `signing`. */
  readonly offset: number;
  /** Index of the first `|` in `bytes` (end of the timestamp). */
  readonly first: number;
  /** Index of the second `|` in `bytes` (end of the signed part). */
  readonly second: number;
}

/**
 * Splits the decoded cookie written at `signing[offset, offset + written)` at its first two pipes; throws
 * `invalid_mac` for a value with fewer (nothing any key could verify).
 */
export function envelopeParts<B extends Uint8Array>(name: string, signing: B, offset: number, written: number): EnvelopeParts<B> {
  const bytes = signing.subarray(offset, offset + written) as B;
  const first = bytes.indexOf(PIPE);
  const second = first < 0 ? -1 : bytes.indexOf(PIPE, first + 1);
  if (second < 0) throw invalidMac(name);
  return { bytes, signing, offset, first, second };
}

/**
 * Checks the signed timestamp of an authentic envelope against the limits, then returns its payload decoded
 * by `decodeBase64` (the codec's strict decoder); throws `invalid_base64` for a payload that is not base64.
 */
export function authenticPayload<B extends Uint8Array>(
  name: string,
  envelope: EnvelopeParts<Uint8Array>,
  limits: Limits,
  decodeBase64: (text: string) => B | undefined,
): B {
  const { bytes, first, second } = envelope;
  checkAge(name, text.latin1Text(bytes, 0, first), limits);
  const payload = decodeBase64(text.latin1Text(bytes, first + 1, second));
  if (payload === undefined) throw invalidPayloadBase64(name);
  return payload;
}

/** The error for an authentic payload that is not URL-safe base64. */
export function invalidPayloadBase64(name: string): SessionError {
  return new SessionError("invalid_base64", `the payload of "${name}" is not URL-safe base64.`);
}

/** Throws `decrypt_failed` for an encrypted payload too short to hold an IV and data. */
export function checkCiphertextLength(name: string, payload: Uint8Array): void {
  if (payload.length <= IV_LENGTH) {
    throw new SessionError(
      "decrypt_failed",
      `the value for "${name}" could not be decrypted: it is too short to hold an IV and data.`,
    );
  }
}

/** Returns the value the serializer reads from `payload`; throws `deserialize_failed` when it cannot. */
export function deserializeValue(serializer: Serializer, name: string, payload: Uint8Array): unknown {
  try {
    return serializer.deserialize(payload);
  } catch (cause) {
    throw new SessionError(
      "deserialize_failed",
      `the value for "${name}" is authentic but could not be deserialized (${causeSummary(cause)}); check that the writer used the same serializer.`,
      { cause: scrubbedCause(cause) },
    );
  }
}
