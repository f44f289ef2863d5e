// gorilla/securecookie's format on WebCrypto (`crypto.subtle`): the same bytes as node-secure-cookie.ts,
// for runtimes without node:crypto (Cloudflare Workers, Vercel Edge, browsers) and wherever it is asked for.
// HMAC-SHA256 signs and verifies (`subtle.verify` compares in constant time), AES-CTR with a 128-bit counter
// (Go's `cipher.NewCTR` increments the whole IV block) encrypts; every step is asynchronous.
import { SessionError } from "../errors.ts";
import { text } from "../internal/text.ts";
import type { Serializer } from "../serializers/serializers.ts";
import { decodeAuthenticatedBase64, decodeBase64Into, decodedLengthAtMost, encodeBase64 } from "./portable-base64.ts";
import { publicRandomBytes } from "./random-pool.ts";
import type { ResolvedKeyPair } from "./resolve-keys.ts";
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

/** Returns this runtime's `crypto.subtle`; throws `unsupported_runtime` where there is none. */
export function webSubtle(): SubtleCrypto {
  const subtle = (globalThis as { crypto?: { subtle?: SubtleCrypto } }).crypto?.subtle;
  if (subtle === undefined) {
    throw new SessionError(
      "unsupported_runtime",
      "this runtime has no WebCrypto (crypto.subtle), which the codec needs here; on a browser page it exists only in secure contexts (https), and on Node use createCodec.",
    );
  }
  return subtle;
}

/** One key pair imported into WebCrypto, on first use; the keys are kept once imported. */
export class WebKeyPair {
  readonly pair: ResolvedKeyPair;
  readonly #subtle: SubtleCrypto;
  #hmac: CryptoKey | undefined;
  #aes: CryptoKey | undefined;
  #importing: Promise<void> | undefined;

  constructor(pair: ResolvedKeyPair, subtle: SubtleCrypto) {
    this.pair = pair;
    this.#subtle = subtle;
  }

  /** Returns the HMAC-SHA256 key (imported on first use). */
  hmac(): CryptoKey | Promise<CryptoKey> {
    return this.#hmac ?? this.#imported().then(() => this.#hmac as CryptoKey);
  }

  /** Returns the AES-CTR key (imported on first use); only for a pair with a block key. */
  aes(): CryptoKey | Promise<CryptoKey> {
    return this.#aes ?? this.#imported().then(() => this.#aes as CryptoKey);
  }

  /** Imports both keys once; a refusal (AES-192 where WebCrypto lacks it) is the same usage error every time. */
  #imported(): Promise<void> {
    return (this.#importing ??= this.#import());
  }

  async #import(): Promise<void> {
    const { hashKey, blockKey } = this.pair;
    this.#hmac = await this.#subtle.importKey("raw", hashKey, { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
    if (blockKey === undefined) return;
    try {
      this.#aes = await this.#subtle.importKey("raw", blockKey, { name: "AES-CTR" }, false, ["encrypt", "decrypt"]);
    } catch (cause) {
      throw new SessionError(
        "invalid_block_key",
        `this runtime's WebCrypto refused the ${blockKey.length}-byte block key (AES-${blockKey.length * 8}): ${(cause as Error)?.message ?? cause}. Browsers and some edge runtimes have no AES-192: use a 16- or 32-byte block key (generateRandomKey(32)).`,
        { cause },
      );
    }
  }
}

/** Returns `bytes` over an ArrayBuffer, as WebCrypto takes them (a copy only of a view over shared memory). */
function ownBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
}

/** Writes the ASCII `chars` into `target` at `offset`. */
function writeAscii(target: Uint8Array, offset: number, chars: string): void {
  for (let i = 0; i < chars.length; i++) target[offset + i] = chars.charCodeAt(i);
}

/** Serializes, encrypts (optionally) and signs `value` in gorilla/securecookie's format with one key pair. */
export async function encodeWithWebCrypto(
  keys: WebKeyPair,
  subtle: SubtleCrypto,
  serializer: Serializer,
  limits: Limits,
  name: string,
  value: unknown,
): Promise<string> {
  let bytes = serializeValue(serializer, name, value);
  if (keys.pair.blockKey !== undefined) {
    const iv = publicRandomBytes(IV_LENGTH);
    const ciphertext = await subtle.encrypt({ name: "AES-CTR", counter: iv, length: 128 }, await keys.aes(), ownBytes(bytes));
    const sealed = new Uint8Array(IV_LENGTH + ciphertext.byteLength);
    sealed.set(iv);
    sealed.set(new Uint8Array(ciphertext), IV_LENGTH);
    bytes = sealed;
  }
  // One buffer for "name|timestamp|payload|mac": the MAC input is its head, and the MAC is written into its
  // tail; the cookie is everything after "name|".
  const hmac = await keys.hmac();
  const timestamp = String(Math.floor(limits.now()));
  const payload = encodeBase64(bytes);
  const nameBytes = text.utf8Bytes(name);
  const start = nameBytes.length + 1;
  const signedEnd = start + timestamp.length + 1 + payload.length;
  const envelope = new Uint8Array(signedEnd + 1 + MAC_LENGTH);
  envelope.set(nameBytes);
  envelope[start - 1] = PIPE;
  writeAscii(envelope, start, timestamp);
  envelope[start + timestamp.length] = PIPE;
  writeAscii(envelope, start + timestamp.length + 1, payload);
  envelope[signedEnd] = PIPE;
  envelope.set(new Uint8Array(await subtle.sign("HMAC", hmac, envelope.subarray(0, signedEnd))), signedEnd + 1);
  const cookie = encodeBase64(envelope.subarray(start));
  checkEncodedLength(name, cookie, limits);
  return cookie;
}

/** A decoded cookie before its MAC is checked: `signing` is `[name]|` followed by the decoded cookie. */
export type WebEnvelope = EnvelopeParts<Uint8Array<ArrayBuffer>>;

/** Runs the key-independent checks (length, base64, shape) on a cookie value. */
export function openWebEnvelope(name: string, cookie: string, limits: Limits): WebEnvelope {
  checkCookieInput(name, cookie, limits);
  const nameBytes = text.utf8Bytes(name);
  const offset = nameBytes.length + 1;
  const signing = new Uint8Array(offset + decodedLengthAtMost(cookie));
  const written = decodeBase64Into(cookie, signing, offset);
  if (written === undefined) throw invalidBase64(name);
  signing.set(nameBytes);
  signing[offset - 1] = PIPE;
  return envelopeParts(name, signing, offset, written);
}

/** Tells whether the envelope's MAC verifies under `keys` (WebCrypto compares in constant time). */
export async function verifyWebMac(keys: WebKeyPair, subtle: SubtleCrypto, envelope: WebEnvelope): Promise<boolean> {
  const given = envelope.bytes.subarray(envelope.second + 1);
  if (given.length !== MAC_LENGTH) return false;
  return subtle.verify("HMAC", await keys.hmac(), given, envelope.signing.subarray(0, envelope.offset + envelope.second));
}

/** Checks the age of an authentic envelope, then decrypts and deserializes it with `keys`. */
export async function openWebAuthentic(
  keys: WebKeyPair,
  subtle: SubtleCrypto,
  serializer: Serializer,
  limits: Limits,
  name: string,
  envelope: WebEnvelope,
): Promise<unknown> {
  let payload: Uint8Array<ArrayBuffer> = authenticPayload(name, envelope, limits, decodeAuthenticatedBase64);
  if (keys.pair.blockKey !== undefined) {
    checkCiphertextLength(name, payload);
    const counter = payload.subarray(0, IV_LENGTH);
    payload = new Uint8Array(await subtle.decrypt({ name: "AES-CTR", counter, length: 128 }, await keys.aes(), payload.subarray(IV_LENGTH)));
  }
  return deserializeValue(serializer, name, payload);
}
