// gorilla/securecookie's format on node:crypto, synchronously: the codec of Node, Bun and Deno. Loaded
// everywhere (the neutral core imports it), it runs only where the runtime has node:crypto: createCodec
// refuses first elsewhere, and node-crypto.ts's stand-ins throw `unsupported_runtime` if anything gets past.
import { decodeAuthenticatedBase64, decodeBase64Into, decodedLengthAtMost, encodeBase64 } from "./node-base64.ts";
import { Buffer, crypto } from "./node-crypto.ts";
import { BLOCK, hmacFor } from "./node-hmac.ts";
import type { ResolvedKeyPair } from "./resolve-keys.ts";
import { publicRandomBytes } from "./random-pool.ts";
import type { Serializer } from "../serializers/serializers.ts";
import {
  type EnvelopeParts,
  IV_LENGTH,
  type Limits,
  MAC_LENGTH,
  PIPE,
  authenticPayload,
  checkCiphertextLength,
  checkCookieInput,
  checkEncodedLength,
  deserializeValue,
  envelopeParts,
  invalidBase64,
  serializeValue,
} from "./secure-cookie-checks.ts";

/** Serializes, encrypts (optionally) and signs `value` in gorilla/securecookie's format with one key pair. */
export function encodeWith(
  pair: ResolvedKeyPair,
  serializer: Serializer,
  limits: Limits,
  name: string,
  value: unknown,
): string {
  let bytes = serializeValue(serializer, name, value);
  if (pair.blockKey !== undefined && pair.cipher !== undefined) {
    const iv = publicRandomBytes(IV_LENGTH);
    const cipher = crypto.createCipheriv(pair.cipher, pair.blockKey, iv);
    bytes = Buffer.concat([iv, cipher.update(bytes), cipher.final()]);
  }
  // One buffer for "HMAC inner pad|name|timestamp|payload|mac": the MAC input is its head, hashed in one
  // pass, and the MAC is written into its tail; the cookie is everything after "name|".
  const hmac = hmacFor(pair.hashKey);
  const timestamp = String(Math.floor(limits.now()));
  const payload = encodeBase64(bytes);
  const nameLength = Buffer.byteLength(name);
  const start = BLOCK + nameLength + 1;
  const signedEnd = start + timestamp.length + 1 + payload.length;
  const envelope = Buffer.allocUnsafe(signedEnd + 1 + MAC_LENGTH);
  hmac.innerPad.copy(envelope, 0);
  writeName(envelope, name, nameLength);
  envelope[start - 1] = PIPE;
  envelope.write(timestamp, start, "latin1");
  envelope[start + timestamp.length] = PIPE;
  envelope.write(payload, start + timestamp.length + 1, "latin1");
  envelope[signedEnd] = PIPE;
  hmac.macOfPrefixed(envelope.subarray(0, signedEnd)).copy(envelope, signedEnd + 1);
  const cookie = encodeBase64(envelope.subarray(start));
  checkEncodedLength(name, cookie, limits);
  return cookie;
}

/**
 * Writes `name` (`byteLength` bytes of UTF-8) after the HMAC pad: as Latin-1 when it is ASCII (the same bytes;
 * Node copies a one-byte string as it is, where a UTF-8 write encodes it character by character).
 */
function writeName(target: Buffer, name: string, byteLength: number): void {
  target.write(name, BLOCK, byteLength === name.length ? "latin1" : "utf8");
}

/**
 * A decoded cookie before its MAC is checked: `signing` is `[room for K ⊕ ipad][name]|` followed by the
 * decoded cookie, so checking it under each key copies nothing.
 */
export type Envelope = EnvelopeParts<Buffer>;

/** Runs the key-independent checks (length, base64, shape) on a cookie value. */
export function openEnvelope(name: string, cookie: string, limits: Limits): Envelope {
  checkCookieInput(name, cookie, limits);
  const nameLength = Buffer.byteLength(name);
  const offset = BLOCK + nameLength + 1;
  const signing = Buffer.allocUnsafe(offset + decodedLengthAtMost(cookie));
  const written = decodeBase64Into(cookie, signing, offset);
  if (written === undefined) throw invalidBase64(name);
  writeName(signing, name, nameLength);
  signing[offset - 1] = PIPE;
  return envelopeParts(name, signing, offset, written);
}

/** Tells whether the envelope's MAC verifies under `pair`, in constant time. */
export function verifyMac(pair: ResolvedKeyPair, envelope: Envelope): boolean {
  const given = envelope.bytes.subarray(envelope.second + 1);
  if (given.length !== MAC_LENGTH) return false;
  const hmac = hmacFor(pair.hashKey);
  hmac.innerPad.copy(envelope.signing, 0);
  return crypto.timingSafeEqual(given, hmac.macOfPrefixed(envelope.signing.subarray(0, envelope.offset + envelope.second)));
}

/** Checks the age of an authentic envelope, then decrypts and deserializes it with `pair`. */
export function openAuthentic(
  pair: ResolvedKeyPair,
  serializer: Serializer,
  limits: Limits,
  name: string,
  envelope: Envelope,
): unknown {
  let payload: Uint8Array = authenticPayload(name, envelope, limits, decodeAuthenticatedBase64);
  if (pair.blockKey !== undefined && pair.cipher !== undefined) {
    checkCiphertextLength(name, payload);
    const decipher = crypto.createDecipheriv(pair.cipher, pair.blockKey, payload.subarray(0, IV_LENGTH));
    payload = decipher.update(payload.subarray(IV_LENGTH));
    decipher.final(); // CTR is a stream mode: final() returns nothing more
  }
  return deserializeValue(serializer, name, payload);
}
