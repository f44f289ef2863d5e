// The floors of the Redis benchmark's typed-sessions cases: the least a Redis session store can do per save +
// load while keeping what RedisStore guarantees — a signed id in the cookie, signed data at rest (bound to the
// id), and a save of a loaded session that cannot overwrite a concurrent save or bring back a destroyed session
// (a compare-and-set) — written with node:crypto and ioredis and no session library.
//
// - formatFloorOp (issue 14's floor): the very bytes RedisStore writes (gorilla/securecookie's envelope for the
//   id cookie and for the data, the `ts1` payload header, JSON values; `npm run bench -- redis` checks that
//   RedisStore loads what it wrote), a Set-Cookie header and the Cookie header read back, and the
//   compare-and-set as one EVALSHA.
// - minimalFloorOp: the same guarantees in the cheapest format there is — hex HMACs, no timestamps, no cookie
//   name under the MAC, no header. No store that signs the id and the data can beat it.
// - codecFloorOp: formatFloorOp's bytes through typed-sessions' codec, with no store or session layer.
//
// The compare-and-set is the cheapest correct one on Redis 7: a one-key Lua script (Cluster-safe) given the
// length and the MAC-carrying tail of the value the op last saw (the MAC covers the whole value, so an equal
// tail and length is an equal value) and the value to write; it writes only if the key still holds that
// value. WATCH/MULTI/EXEC would take three round trips and a connection of its own; a plain SET cannot tell.
// Every worker owns its session, so the compare-and-set never loses here; a real store would merge and retry
// when it does (RedisStore does), which costs nothing when nobody raced. A new session is created with
// `SET … EX`, as RedisStore creates one.
import * as crypto from "node:crypto";
import type { Redis } from "ioredis";
import type { createCodec } from "typed-sessions/codec";

/** Where and what a floor op writes. */
export interface FloorOptions {
  readonly client: Redis;
  readonly prefix: string;
  readonly hashKey: Buffer;
  readonly ttlSeconds: number;
  /** The session values of op `i`. */
  readonly values: (i: number) => Record<string, unknown>;
}

/** One worker's op: save op `i`'s values under the worker's session, then load them back and check them. */
export type FloorOp = (i: number) => Promise<void>;

/** The cookie name, as the typed-sessions cases use. */
export const FLOOR_NAME = "sid";

const BLOCK = 64;
const MAC_BYTES = 32;
const PIPE = 0x7c;
/** How many trailing characters of a gorilla envelope hold its whole MAC, padding included (32 bytes). */
const ENVELOPE_TAIL = 48;
const MAC_HEX = 64;

/**
 * Compare-and-set of one key. ARGV: the length of the value last seen, its last characters (they carry its
 * MAC), the value to write, its time to live in ms. Returns 1 when it wrote, else 0 (the value moved).
 */
const CAS_LUA = `local current = redis.call('GET', KEYS[1])
if not current or #current ~= tonumber(ARGV[1]) or string.sub(current, #current - #ARGV[2] + 1) ~= ARGV[2] then return 0 end
redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
return 1`;
const CAS_SHA = crypto.createHash("sha1").update(CAS_LUA).digest("hex");

/** Loads the floors' script (once per Redis, before the rounds, so EVALSHA always finds it). */
export async function loadFloorScript(client: Redis): Promise<void> {
  const sha = await client.script("LOAD", CAS_LUA);
  if (sha !== CAS_SHA) throw new Error("floor: Redis named the script unexpectedly");
}

/** Saves `value` under `key` over `last` (the value the op saw), or creates it when there is none. */
async function casOrCreate(client: Redis, key: string, last: string | undefined, value: string, tail: number, ttlSeconds: number): Promise<void> {
  if (last === undefined) {
    await client.set(key, value, "EX", ttlSeconds);
    return;
  }
  const wrote = await client.evalsha(CAS_SHA, 1, key, String(last.length), last.slice(-tail), value, String(ttlSeconds * 1000));
  if (wrote !== 1) throw new Error("floor: the compare-and-set lost, but nothing else writes this session");
}

/**
 * HMAC-SHA256 as two one-shot SHA-256 calls over pads prepared once (what a tuned store does; `createHmac`
 * sets up an OpenSSL MAC context on every call): `mac(buffer)` signs `buffer.subarray(BLOCK)` once the caller
 * has written `innerPad` into its first {@link BLOCK} bytes.
 */
function hmacSha256(key: Buffer): { readonly innerPad: Buffer; mac(prefixed: Buffer): Buffer } {
  const hash = (crypto as unknown as { hash?: (algorithm: string, data: Uint8Array, encoding: "buffer") => Buffer }).hash;
  const block = Buffer.alloc(BLOCK);
  (key.length > BLOCK ? crypto.createHash("sha256").update(key).digest() : key).copy(block);
  const innerPad = Buffer.allocUnsafe(BLOCK);
  const outer = Buffer.allocUnsafe(BLOCK + MAC_BYTES);
  for (let i = 0; i < BLOCK; i++) {
    innerPad[i] = (block[i] as number) ^ 0x36;
    outer[i] = (block[i] as number) ^ 0x5c;
  }
  return {
    innerPad,
    mac(prefixed) {
      if (hash === undefined) return crypto.createHmac("sha256", key).update(prefixed.subarray(BLOCK)).digest();
      hash("sha256", prefixed, "buffer").copy(outer, BLOCK);
      return hash("sha256", outer, "buffer");
    },
  };
}

const PADDING = ["", "===", "==", "="] as const;

/** Padded URL-safe base64 (Go's `base64.URLEncoding`, gorilla's). */
function base64(bytes: Buffer): string {
  const text = bytes.toString("base64url");
  return text + PADDING[text.length % 4];
}

/**
 * gorilla/securecookie's envelope without encryption, for ASCII names: `base64(timestamp|base64(value)|mac)`,
 * the MAC over `name|timestamp|base64(value)`.
 */
function envelopes(key: Buffer, maxAge: number) {
  const hmac = hmacSha256(key);
  return {
    seal(name: string, value: Buffer, now: number): string {
      const timestamp = String(now);
      const payload = base64(value);
      const start = BLOCK + name.length + 1;
      const signedEnd = start + timestamp.length + 1 + payload.length;
      const buf = Buffer.allocUnsafe(signedEnd + 1 + MAC_BYTES);
      hmac.innerPad.copy(buf, 0);
      buf.write(name, BLOCK, "latin1");
      buf[start - 1] = PIPE;
      buf.write(timestamp, start, "latin1");
      buf[start + timestamp.length] = PIPE;
      buf.write(payload, start + timestamp.length + 1, "latin1");
      buf[signedEnd] = PIPE;
      hmac.mac(buf.subarray(0, signedEnd)).copy(buf, signedEnd + 1);
      return base64(buf.subarray(start));
    },
    /** Returns the value sealed under `name`, or throws for anything that does not verify or is too old. */
    open(name: string, text: string, now: number): Buffer {
      const start = BLOCK + name.length + 1;
      const buf = Buffer.allocUnsafe(start + Math.ceil(text.length / 4) * 3);
      const length = buf.write(text, start, "base64url");
      hmac.innerPad.copy(buf, 0);
      buf.write(name, BLOCK, "latin1");
      buf[start - 1] = PIPE;
      const bytes = buf.subarray(start, start + length);
      const first = bytes.indexOf(PIPE);
      const second = first < 0 ? -1 : bytes.indexOf(PIPE, first + 1);
      if (second < 0 || bytes.length - second - 1 !== MAC_BYTES) throw new Error(`floor: ${name} is not an envelope`);
      if (!crypto.timingSafeEqual(bytes.subarray(second + 1), hmac.mac(buf.subarray(0, start + second)))) {
        throw new Error(`floor: ${name} did not verify`);
      }
      const timestamp = Number(bytes.toString("latin1", 0, first));
      if (!(timestamp >= now - maxAge)) throw new Error(`floor: ${name} expired`);
      return Buffer.from(bytes.toString("latin1", first + 1, second), "base64url");
    },
  };
}

/** Unix seconds, as RedisStore's clock reads them. */
const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** The Set-Cookie attribute text of RedisStore's defaults for a session of `ttlSeconds`, sent at `now`. */
function cookieAttributes(ttlSeconds: number, now: number): string {
  return `; Max-Age=${ttlSeconds}; Path=/; Expires=${new Date((now + ttlSeconds) * 1000).toUTCString()}; HttpOnly; Secure; SameSite=Lax`;
}

/** The name the data of session `id` is sealed under: it binds the data to its id. */
function dataNameOf(id: string): string {
  return `${FLOOR_NAME}#${crypto.createHash("sha256").update(id).digest("base64url").slice(0, 16)}`;
}

/** The format floor's codecs: the id cookie's, and the data's (accepted up to twice the cookie's maxAge). */
function formatCodecs(hashKey: Buffer, ttlSeconds: number) {
  // RedisStore accepts data signed up to twice its cookie's maxAge ago (a touched session keeps its data).
  return { cookie: envelopes(hashKey, ttlSeconds), data: envelopes(hashKey, ttlSeconds * 2) };
}

/** Opens the session a Cookie header's `sid` carries and reads its values (the format floor's load). */
async function formatLoad(
  codecs: ReturnType<typeof formatCodecs>,
  client: Redis,
  prefix: string,
  cookieHeader: string,
  dataName: string | undefined,
): Promise<{ readonly stored: string; readonly values: Record<string, unknown> }> {
  const cookieId = codecs.cookie.open(FLOOR_NAME, cookieHeader.slice(FLOOR_NAME.length + 1), nowSeconds()).toString("latin1");
  const stored = await client.get(prefix + cookieId);
  if (stored === null) throw new Error("floor: the session was lost");
  const text = codecs.data.open(dataName ?? dataNameOf(cookieId), stored, nowSeconds()).toString("utf8");
  const newline = text.indexOf("\n");
  const head = text.slice(0, newline).split(" ");
  if (head[0] !== "ts1" || head[2]?.charCodeAt(0) !== 0x2b || !(Number(head[2].slice(1)) >= 0)) throw new Error("floor: no metadata header");
  return { stored, values: JSON.parse(text.slice(newline + 1)) as Record<string, unknown> };
}

/**
 * Issue 14's floor: what RedisStore writes, byte for byte, with no library. Save: the values as JSON under
 * the `ts1 <created> +<seconds since>` header, sealed under `sid#<first 16 of base64url(SHA-256(id))>` (binding
 * the data to its id), the compare-and-set; the id cookie sealed under `sid` and its Set-Cookie header
 * (Max-Age, Path, Expires, HttpOnly, Secure, SameSite=Lax: RedisStore's defaults; the attribute text kept
 * per second, as RedisStore keeps it). Load: the cookie taken from a Cookie header and opened, one `GET`,
 * the data opened, its header read, `JSON.parse`.
 */
export function formatFloorOp({ client, prefix, hashKey, ttlSeconds, values }: FloorOptions): FloorOp {
  const codecs = formatCodecs(hashKey, ttlSeconds);
  const id = crypto.randomBytes(32).toString("base64url");
  const idBytes = Buffer.from(id, "latin1");
  const dataName = dataNameOf(id);
  const createdAt = nowSeconds();
  let last: string | undefined;
  let suffixSecond = -1;
  let suffix = "";
  return async (i) => {
    const now = nowSeconds();
    const payload = Buffer.from(`ts1 ${createdAt} +${now - createdAt}\n${JSON.stringify(values(i))}`, "utf8");
    const value = codecs.data.seal(dataName, payload, now);
    const cookie = codecs.cookie.seal(FLOOR_NAME, idBytes, now);
    if (now !== suffixSecond) {
      suffix = cookieAttributes(ttlSeconds, now);
      suffixSecond = now;
    }
    const setCookie = `${FLOOR_NAME}=${cookie}${suffix}`;
    await casOrCreate(client, prefix + id, last, value, ENVELOPE_TAIL, ttlSeconds);
    // The next request's Cookie header.
    const loaded = await formatLoad(codecs, client, prefix, setCookie.slice(0, setCookie.indexOf(";")), dataName);
    if (loaded.values["visits"] !== i) throw new Error("floor: the session was lost");
    last = loaded.stored;
  };
}

/**
 * Creates a session the format floor's way with `values` under `prefix` and returns its Set-Cookie header:
 * for the check that RedisStore loads what the floor writes.
 */
export async function formatFloorCreate(options: FloorOptions, values: Record<string, unknown>): Promise<string> {
  const { cookie, data } = formatCodecs(options.hashKey, options.ttlSeconds);
  const id = crypto.randomBytes(32).toString("base64url");
  const now = nowSeconds();
  const value = data.seal(dataNameOf(id), Buffer.from(`ts1 ${now} +0\n${JSON.stringify(values)}`, "utf8"), now);
  await casOrCreate(options.client, options.prefix + id, undefined, value, ENVELOPE_TAIL, options.ttlSeconds);
  return `${FLOOR_NAME}=${cookie.seal(FLOOR_NAME, Buffer.from(id, "latin1"), now)}${cookieAttributes(options.ttlSeconds, now)}`;
}

/** Reads, the format floor's way, the values of the session a Set-Cookie header of RedisStore's names. */
export async function formatFloorRead(options: FloorOptions, setCookie: string): Promise<Record<string, unknown>> {
  const codecs = formatCodecs(options.hashKey, options.ttlSeconds);
  return (await formatLoad(codecs, options.client, options.prefix, setCookie.slice(0, setCookie.indexOf(";")), undefined)).values;
}

/**
 * The cheapest format with the same guarantees. Save: HMAC-SHA256 of the id cookie and of the JSON data
 * (bound to the id), hex, the compare-and-set. Load: check the id cookie's HMAC, one `GET`, check the data's
 * HMAC, `JSON.parse`. No timestamps, no cookie name under the MAC, no Set-Cookie header.
 */
export function minimalFloorOp({ client, prefix, hashKey, ttlSeconds, values }: FloorOptions): FloorOp {
  const mac = (text: string) => crypto.createHmac("sha256", hashKey).update(text).digest("hex");
  const id = crypto.randomBytes(32).toString("base64url");
  const authentic = (text: string, signed: string) =>
    crypto.timingSafeEqual(Buffer.from(text.slice(-MAC_HEX), "latin1"), Buffer.from(mac(signed), "latin1"));
  let last: string | undefined;
  return async (i) => {
    const data = JSON.stringify(values(i));
    const cookie = `${id}.${mac(id)}`;
    await casOrCreate(client, prefix + id, last, `${data}${mac(`${id}|${data}`)}`, MAC_HEX, ttlSeconds);
    const cookieId = cookie.slice(0, cookie.length - MAC_HEX - 1);
    if (!authentic(cookie, cookieId)) throw new Error("floor: the id cookie did not verify");
    const stored = await client.get(prefix + cookieId);
    if (stored === null || stored.length <= MAC_HEX) throw new Error("floor: the session was lost");
    const body = stored.slice(0, -MAC_HEX);
    if (!authentic(stored, `${cookieId}|${body}`)) throw new Error("floor: the stored data did not verify");
    if ((JSON.parse(body) as { visits?: unknown }).visits !== i) throw new Error("floor: the session was lost");
    last = stored;
  };
}

/** The codec's raw output as a Buffer, without a copy. */
function view(bytes: unknown): Buffer {
  const array = bytes as Uint8Array;
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
}

/**
 * {@link formatFloorOp}'s bytes and compare-and-set through typed-sessions' codec (`codecOf`: the build's
 * `createCodec`; strict base64 checks included), with no store or session layer and no cookie header: the
 * gap between this and the format floor is the codec's implementation, the gap between this and RedisStore
 * the store and session layers'.
 */
export function codecFloorOp({ client, prefix, hashKey, ttlSeconds, values }: FloorOptions, codecOf: typeof createCodec): FloorOp {
  const cookies = codecOf({ hashKey, serializer: "raw", maxAge: ttlSeconds });
  const data = codecOf({ hashKey, serializer: "raw", maxAge: ttlSeconds * 2 });
  const id = crypto.randomBytes(32).toString("base64url");
  const idBytes = Buffer.from(id, "latin1");
  const dataName = dataNameOf(id);
  const createdAt = nowSeconds();
  let last: string | undefined;
  return async (i) => {
    const payload = Buffer.from(`ts1 ${createdAt} +${nowSeconds() - createdAt}\n${JSON.stringify(values(i))}`, "utf8");
    const value = data.encode(dataName, payload);
    const cookie = cookies.encode(FLOOR_NAME, idBytes);
    await casOrCreate(client, prefix + id, last, value, ENVELOPE_TAIL, ttlSeconds);
    const cookieId = view(cookies.decode(FLOOR_NAME, cookie)).toString("latin1");
    const stored = await client.get(prefix + cookieId);
    if (stored === null) throw new Error("codec floor: the session was lost");
    const text = view(data.decode(dataName, stored)).toString("utf8");
    const newline = text.indexOf("\n");
    if (!text.startsWith("ts1 ")) throw new Error("codec floor: no metadata header");
    if ((JSON.parse(text.slice(newline + 1)) as { visits?: unknown }).visits !== i) throw new Error("codec floor: the session was lost");
    last = stored;
  };
}
