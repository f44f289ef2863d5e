import { createCipheriv, createDecipheriv, timingSafeEqual } from "node:crypto";
import { causeSummary, scrubbedCause } from "../serializers/cause-summary.ts";
import { SessionError } from "../errors.ts";
import { decodeAuthenticatedBase64, decodeBase64Into, decodedLengthAtMost, encodeBase64 } from "./base64.ts";
import { BLOCK, hmacFor } from "./hmac.ts";
import type { ResolvedKeyPair } from "./resolve-keys.ts";
import { randomBytesFromPool } from "./random-pool.ts";
import type { Serializer } from "../serializers/serializers.ts";

/** AES block size: the length of the random IV prepended to the ciphertext. */
const IV_LENGTH = 16;
const PIPE = 0x7c;
const MAC_LENGTH = 32;
const MAX_INT64 = 9223372036854775807n;
const MIN_INT64 = -9223372036854775808n;

/** The checks gorilla/securecookie makes, in seconds and characters (0 = no limit). */
export interface Limits {
  readonly maxAge: number;
  readonly minAge: number;
  readonly maxLength: number;
  readonly now: () => number;
}

/** Serializes, encrypts (optionally) and signs `value` in gorilla/securecookie's format with one key pair. */
export function encodeWith(
  pair: ResolvedKeyPair,
  serializer: Serializer,
  limits: Limits,
  name: string,
  value: unknown,
): string {
  let bytes: Uint8Array;
  try {
    bytes = serializer.serialize(value);
  } catch (cause) {
    throw new SessionError(
      "serialize_failed",
      `the value for "${name}" could not be serialized (${(cause as Error)?.message ?? cause}). Store only values the serializer supports: plain JSON for "json", superjson types for "superjson", a Uint8Array for "raw".`,
      { cause },
    );
  }
  if (pair.blockKey !== undefined && pair.cipher !== undefined) {
    const iv = randomBytesFromPool(IV_LENGTH);
    const cipher = createCipheriv(pair.cipher, pair.blockKey, iv);
    bytes = Buffer.concat([iv, cipher.update(bytes), cipher.final()]);
  }
  // One buffer for "HMAC inner pad|name|timestamp|payload|mac": the MAC input is its head, hashed in one
  // pass, and the MAC is written into its tail; the cookie is everything after "name|".
  const hmac = hmacFor(pair.hashKey);
  const timestamp = String(Math.floor(limits.now()));
  const payload = encodeBase64(bytes);
  const start = BLOCK + Buffer.byteLength(name) + 1;
  const signedEnd = start + timestamp.length + 1 + payload.length;
  const envelope = Buffer.allocUnsafe(signedEnd + 1 + MAC_LENGTH);
  hmac.innerPad.copy(envelope, 0);
  envelope.write(name, BLOCK, "utf8");
  envelope[start - 1] = PIPE;
  envelope.write(timestamp, start, "latin1");
  envelope[start + timestamp.length] = PIPE;
  envelope.write(payload, start + timestamp.length + 1, "latin1");
  envelope[signedEnd] = PIPE;
  hmac.macOfPrefixed(envelope.subarray(0, signedEnd)).copy(envelope, signedEnd + 1);
  const cookie = encodeBase64(envelope.subarray(start));
  if (limits.maxLength !== 0 && cookie.length > limits.maxLength) {
    throw new SessionError(
      "encoded_too_long",
      `the encoded value for "${name}" is ${cookie.length} characters, over maxLength ${limits.maxLength}. Store less in it, move the data to a server-side store, or raise maxLength.`,
    );
  }
  return cookie;
}

/** The parts of a decoded cookie, before its MAC is checked against a key. */
export interface Envelope {
  /** The decoded cookie, `timestamp|payload|mac`: a view into `signing`. */
  readonly bytes: Buffer;
  /**
   * `[room for K ⊕ ipad][name]|` followed by `bytes`: the MAC input is written around the decoded cookie,
   * so checking it under each key copies nothing.
   */
  readonly signing: Buffer;
  /** Where `bytes` starts in `signing`. */
  readonly offset: number;
  /** Index of the first `|` (end of the timestamp). */
  readonly first: number;
  /** Index of the second `|` (end of the signed part). */
  readonly second: number;
}

/** Runs the key-independent checks (length, base64, shape) on a cookie value. */
export function openEnvelope(name: string, cookie: string, limits: Limits): Envelope {
  if (typeof cookie !== "string") {
    throw new SessionError("invalid_base64", `the value for "${name}" is not a string.`);
  }
  if (limits.maxLength !== 0 && cookie.length * 3 > limits.maxLength && Buffer.byteLength(cookie) > limits.maxLength) {
    throw new SessionError(
      "value_too_long",
      `the value for "${name}" is longer than maxLength ${limits.maxLength}; it was refused unread. Raise maxLength if such values are legitimate.`,
    );
  }
  const nameLength = Buffer.byteLength(name);
  const offset = BLOCK + nameLength + 1;
  const signing = Buffer.allocUnsafe(offset + decodedLengthAtMost(cookie));
  const written = decodeBase64Into(cookie, signing, offset);
  if (written === undefined) {
    throw new SessionError(
      "invalid_base64",
      `the value for "${name}" is not URL-safe base64; it was not written by this codec.`,
    );
  }
  signing.write(name, BLOCK, "utf8");
  signing[offset - 1] = PIPE;
  const bytes = signing.subarray(offset, offset + written);
  const first = bytes.indexOf(PIPE);
  const second = first < 0 ? -1 : bytes.indexOf(PIPE, first + 1);
  if (second < 0) throw invalidMac(name);
  return { bytes, signing, offset, first, second };
}

function invalidMac(name: string): SessionError {
  return new SessionError(
    "invalid_mac",
    `the value for "${name}" has no valid signature: it was tampered with, or signed with another key or under another name. Treat it as absent.`,
  );
}

/** Tells whether the envelope's MAC verifies under `pair`. */
export function verifyMac(pair: ResolvedKeyPair, envelope: Envelope): boolean {
  const given = envelope.bytes.subarray(envelope.second + 1);
  if (given.length !== MAC_LENGTH) return false;
  const hmac = hmacFor(pair.hashKey);
  hmac.innerPad.copy(envelope.signing, 0);
  return timingSafeEqual(given, hmac.macOfPrefixed(envelope.signing.subarray(0, envelope.offset + envelope.second)));
}

/** Throws the error for a cookie no key verifies. */
export function throwInvalidMac(name: string): never {
  throw invalidMac(name);
}

function parseTimestamp(name: string, text: string): number {
  if (!/^[+-]?[0-9]+$/.test(text)) {
    throw new SessionError("invalid_timestamp", `the value for "${name}" carries an unreadable timestamp.`);
  }
  if (text.length > 15) {
    const big = BigInt(text);
    if (big > MAX_INT64 || big < MIN_INT64) {
      throw new SessionError("invalid_timestamp", `the value for "${name}" carries an out-of-range timestamp.`);
    }
  }
  return Number(text);
}

/** Checks the age of an authentic envelope, then decrypts and deserializes it with `pair`. */
export function openAuthentic(
  pair: ResolvedKeyPair,
  serializer: Serializer,
  limits: Limits,
  name: string,
  envelope: Envelope,
): unknown {
  const { bytes, first, second } = envelope;
  const timestamp = parseTimestamp(name, bytes.toString("latin1", 0, first));
  const now = Math.floor(limits.now());
  if (limits.minAge !== 0 && timestamp > now - limits.minAge) {
    throw new SessionError(
      "too_new",
      `the value for "${name}" is younger than minAge ${limits.minAge}s; it was refused.`,
    );
  }
  if (limits.maxAge !== 0 && timestamp < now - limits.maxAge) {
    throw new SessionError(
      "expired",
      `the value for "${name}" is older than maxAge ${limits.maxAge}s; treat it as absent and start a new session.`,
    );
  }
  let payload: Uint8Array | undefined = decodeAuthenticatedBase64(bytes.toString("latin1", first + 1, second));
  if (payload === undefined) {
    throw new SessionError("invalid_base64", `the payload of "${name}" is not URL-safe base64.`);
  }
  if (pair.blockKey !== undefined && pair.cipher !== undefined) {
    if (payload.length <= IV_LENGTH) {
      throw new SessionError(
        "decrypt_failed",
        `the value for "${name}" could not be decrypted: it is too short to hold an IV and data.`,
      );
    }
    const decipher = createDecipheriv(pair.cipher, pair.blockKey, payload.subarray(0, IV_LENGTH));
    payload = decipher.update(payload.subarray(IV_LENGTH));
    decipher.final(); // CTR is a stream mode: final() returns nothing more
  }
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
