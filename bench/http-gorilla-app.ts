// The second floor of the HTTP benchmark's cookie case, (b₁): the same app as (b₀) (read the counter,
// increment, re-seal, answer, the same 30-day `Set-Cookie` attributes), but writing gorilla/securecookie's
// own format, the one typed-sessions' CookieStore writes, with node:crypto and the `cookie` package and no
// session library:
//   encode: bytes → AES-CTR with a random 16-byte IV (iv ‖ ciphertext) → padded URL-safe base64 (Go's
//   base64.URLEncoding) = v; mac = HMAC-SHA256(hashKey, `name|date|v`); cookie = padded URL-safe base64 of
//   `date|v|mac` (the name is under the MAC only).
//   decode: base64 → split in 3 on "|" → HMAC over `name|date|v` checked in constant time → date within
//   maxAge → base64 of v → decrypt.
// What (b) does beyond this is the library's own: its session object, registry and cookie handling, and the
// payload header `ts1 <createdAt> +<seconds since>\n` that CookieStore puts before the values (by default
// superjson's text, which for plain JSON is the JSON alone: `{"count":n}`). The floor carries no header: its
// value is JSON `{"count":n}` plus the newline gorilla's JSONEncoder (and typed-sessions' "json" serializer) writes.
// It is a floor for the crypto too, no dearer than typed-sessions' own, or the ratio (b₁)/(b) would credit
// the library's layers with the difference. So, as src/codec does, HMAC-SHA256 is two one-shot `crypto.hash` calls
// over key pads prepared once (createHmac sets up an OpenSSL MAC context per call: some 2 µs more per MAC on
// the 2-core bench machine), written around the bytes so nothing is copied; IVs come from a 4 KiB random
// pool (randomBytes(16) costs some 3.5 µs there, a pool draw 0.2 µs); base64 is decoded straight into the
// MAC input. AES-CTR is one createCipheriv per request,
// as in (b).
// bench/gorilla-floor-check.ts checks that these bytes are the codec's, both ways.
import { createCipheriv, createDecipheriv, createHash, hash, randomFillSync, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { parseCookie, stringifySetCookie } from "cookie";

/** The cookie name: the same as (b)'s session name, so the MAC input has the same length. */
export const GORILLA_NAME = "bench";
/** Thirty days, in seconds: the cookie's Max-Age and the oldest timestamp decode accepts, as in (b). */
export const GORILLA_MAX_AGE = 30 * 24 * 60 * 60;
const IV_LENGTH = 16;
const MAC_LENGTH = 32;
/** SHA-256's block size: HMAC's key pads are this long. */
const BLOCK = 64;
const PIPE = 0x7c;
/** gorilla/securecookie's default maxLength, checked on encode and decode (typed-sessions' too). */
const MAX_LENGTH = 4096;

/** HMAC-SHA256 (RFC 2104) of `prefixed.subarray(BLOCK)`, the caller having put K ⊕ ipad in its first BLOCK bytes. */
interface Mac {
  innerPad: Buffer;
  of(prefixed: Buffer): Buffer;
}

function macFor(key: Buffer): Mac {
  const block = Buffer.alloc(BLOCK);
  (key.length > BLOCK ? createHash("sha256").update(key).digest() : key).copy(block);
  const innerPad = Buffer.allocUnsafe(BLOCK);
  const outer = Buffer.allocUnsafe(BLOCK + MAC_LENGTH); // K ⊕ opad, then the inner digest
  for (let i = 0; i < BLOCK; i++) {
    innerPad[i] = (block[i] as number) ^ 0x36;
    outer[i] = (block[i] as number) ^ 0x5c;
  }
  return {
    innerPad,
    of(prefixed) {
      hash("sha256", prefixed, "buffer").copy(outer, BLOCK);
      return hash("sha256", outer, "buffer");
    },
  };
}

const macs = new Map<Buffer, Mac>();
const macOf = (key: Buffer): Mac => macs.get(key) ?? (macs.set(key, macFor(key)).get(key) as Mac);

const pool = Buffer.allocUnsafe(4096);
let poolOffset = pool.length;

/** 16 fresh random bytes, from a pool refilled every 256 IVs. */
function randomIv(): Buffer {
  if (poolOffset + IV_LENGTH > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const iv = Buffer.from(pool.subarray(poolOffset, poolOffset + IV_LENGTH));
  poolOffset += IV_LENGTH;
  return iv;
}

/** Padded URL-safe base64, as Go's `base64.URLEncoding` writes it. */
function base64(bytes: Buffer): string {
  const text = bytes.toString("base64url");
  return text + "=".repeat((4 - (text.length % 4)) % 4);
}

const padsOf = (text: string) => (text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0);

/** Decodes padded URL-safe base64; undefined when the text is not that. */
function unbase64(text: string): Buffer | undefined {
  if (text.length % 4 !== 0) return undefined;
  const bytes = Buffer.from(text, "base64url");
  return bytes.length === (text.length / 4) * 3 - padsOf(text) ? bytes : undefined;
}

/** What {@link gorillaDecode} found in an authentic cookie. */
export interface GorillaDecoded {
  /** The plaintext bytes (what the serializer wrote). */
  bytes: Buffer;
  /** The timestamp under the MAC, Unix seconds. */
  timestamp: number;
  /** The IV the value was encrypted with (undefined without a block key). */
  iv: Buffer | undefined;
}

/** Encodes `bytes` for cookie `name` in gorilla/securecookie's format; `timestamp` and `iv` are for the check only. */
export function gorillaEncode(
  hashKey: Buffer,
  blockKey: Buffer | undefined,
  name: string,
  bytes: Buffer,
  timestamp = Math.floor(Date.now() / 1000),
  iv: Buffer = randomIv(),
): string {
  let value = bytes;
  if (blockKey !== undefined) {
    const cipher = createCipheriv(`aes-${blockKey.length * 8}-ctr`, blockKey, iv);
    value = Buffer.concat([iv, cipher.update(bytes), cipher.final()]);
  }
  // K ⊕ ipad | name | "|" date "|" v "|" mac, in one buffer: the MAC input is its head, the cookie its tail.
  const mac = macOf(hashKey);
  const signed = `${name}|${timestamp}|${base64(value)}`;
  const signedEnd = BLOCK + Buffer.byteLength(signed);
  const envelope = Buffer.allocUnsafe(signedEnd + 1 + MAC_LENGTH);
  mac.innerPad.copy(envelope, 0);
  envelope.write(signed, BLOCK, "utf8");
  envelope[signedEnd] = PIPE;
  mac.of(envelope.subarray(0, signedEnd)).copy(envelope, signedEnd + 1);
  const cookie = base64(envelope.subarray(BLOCK + Buffer.byteLength(name) + 1));
  if (cookie.length > MAX_LENGTH) throw new Error(`the encoded value for "${name}" is over ${MAX_LENGTH} characters`);
  return cookie;
}

/** Decodes a gorilla/securecookie value of cookie `name`; undefined for anything not authentic, expired or malformed. */
export function gorillaDecode(
  hashKey: Buffer,
  blockKey: Buffer | undefined,
  name: string,
  cookie: string,
  maxAge = GORILLA_MAX_AGE,
  now = Math.floor(Date.now() / 1000),
): GorillaDecoded | undefined {
  if (cookie.length > MAX_LENGTH || cookie.length % 4 !== 0) return undefined;
  // K ⊕ ipad | name | "|" then the decoded cookie `date|v|mac`: the MAC input is written around it.
  const mac = macOf(hashKey);
  const offset = BLOCK + Buffer.byteLength(name) + 1;
  const signing = Buffer.allocUnsafe(offset + (cookie.length / 4) * 3);
  const written = signing.write(cookie, offset, "base64url");
  if (written !== (cookie.length / 4) * 3 - padsOf(cookie)) return undefined;
  mac.innerPad.copy(signing, 0);
  signing.write(name, BLOCK, "utf8");
  signing[offset - 1] = PIPE;
  const decoded = signing.subarray(offset, offset + written);
  const first = decoded.indexOf(PIPE);
  const second = first < 0 ? -1 : decoded.indexOf(PIPE, first + 1);
  if (second < 0) return undefined;
  const given = decoded.subarray(second + 1);
  if (given.length !== MAC_LENGTH || !timingSafeEqual(given, mac.of(signing.subarray(0, offset + second)))) return undefined;
  const date = decoded.toString("latin1", 0, first);
  if (!/^[0-9]{1,15}$/.test(date)) return undefined;
  const timestamp = Number(date);
  if (maxAge !== 0 && timestamp < now - maxAge) return undefined;
  const value = unbase64(decoded.toString("latin1", first + 1, second));
  if (value === undefined) return undefined;
  if (blockKey === undefined) return { bytes: value, timestamp, iv: undefined };
  if (value.length <= IV_LENGTH) return undefined;
  const iv = value.subarray(0, IV_LENGTH);
  const decipher = createDecipheriv(`aes-${blockKey.length * 8}-ctr`, blockKey, iv);
  const bytes = decipher.update(value.subarray(IV_LENGTH));
  decipher.final(); // CTR is a stream mode: nothing more comes out
  return { bytes, timestamp, iv };
}

/** Writes the value unescaped: padded URL-safe base64 is all cookie-octets (the default would turn "=" into "%3D"). */
const asIs = (value: string): string => value;

/** Returns the handler: read the counter from the gorilla-format cookie (if authentic and fresh), increment, re-seal, answer. */
export function gorillaCookieApp(
  hashKey: Buffer,
  blockKey: Buffer,
  answer: (res: ServerResponse, count: number) => void,
): (req: IncomingMessage, res: ServerResponse) => void {
  function open(value: string | undefined): number {
    if (value === undefined) return 0;
    const opened = gorillaDecode(hashKey, blockKey, GORILLA_NAME, value);
    if (opened === undefined) return 0;
    const count = (JSON.parse(opened.bytes.toString("utf8")) as { count?: unknown }).count;
    return typeof count === "number" ? count : 0;
  }

  return (req, res) => {
    const header = req.headers.cookie;
    const count = open(header === undefined ? undefined : parseCookie(header)[GORILLA_NAME]) + 1;
    const value = gorillaEncode(hashKey, blockKey, GORILLA_NAME, Buffer.from(`${JSON.stringify({ count })}\n`, "utf8"));
    const expires = new Date(Date.now() + GORILLA_MAX_AGE * 1000);
    res.setHeader(
      "Set-Cookie",
      stringifySetCookie(
        { name: GORILLA_NAME, value, path: "/", httpOnly: true, secure: true, sameSite: "lax", maxAge: GORILLA_MAX_AGE, expires },
        { encode: asIs },
      ),
    );
    answer(res, count);
  };
}
