// The floor of the Redis benchmark's typed-sessions case: the least a Redis session store can do per save +
// load while keeping what issue 5 asks of RedisStore (a signed id in the cookie, signed data at rest), written
// with node:crypto and ioredis and no session library. Save: HMAC-SHA256 of the id cookie and of the JSON data
// (bound to the id), one `SET … EX`. Load: check the id cookie's HMAC, one `GET`, check the data's HMAC,
// `JSON.parse`. No timestamps, no cookie name under the MAC, hex instead of gorilla's base64 envelope:
// a store can at best match it.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Redis } from "ioredis";
import { createCodec } from "typed-sessions/codec";

const MAC_HEX = 64;

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

/** Returns one worker's op of the no-library floor. */
export function signedFloorOp({ client, prefix, hashKey, ttlSeconds, values }: FloorOptions): FloorOp {
  const mac = (text: string) => createHmac("sha256", hashKey).update(text).digest("hex");
  const id = randomBytes(32).toString("base64url");
  const authentic = (text: string, signed: string) =>
    timingSafeEqual(Buffer.from(text.slice(-MAC_HEX), "latin1"), Buffer.from(mac(signed), "latin1"));
  return async (i) => {
    const data = JSON.stringify(values(i));
    const cookie = `${id}.${mac(id)}`;
    await client.set(prefix + id, `${data}${mac(`${id}|${data}`)}`, "EX", ttlSeconds);
    const cookieId = cookie.slice(0, cookie.length - MAC_HEX - 1);
    if (!authentic(cookie, cookieId)) throw new Error("floor: the id cookie did not verify");
    const stored = await client.get(prefix + cookieId);
    if (stored === null || stored.length <= MAC_HEX) throw new Error("floor: the session was lost");
    const body = stored.slice(0, -MAC_HEX);
    if (!authentic(stored, `${cookieId}|${body}`)) throw new Error("floor: the stored data did not verify");
    if ((JSON.parse(body) as { visits?: unknown }).visits !== i) throw new Error("floor: the session was lost");
  };
}

/**
 * The same op with typed-sessions' codec and no store layer: the id cookie and the JSON data each encoded by
 * the gorilla-compatible codec (`name|timestamp|value`, HMAC-SHA256, two base64 passes), as RedisStore
 * writes them; the gap between this and {@link signedFloorOp} is the format's, the gap between this and
 * RedisStore is the store layer's (sessions, metadata, checks).
 */
export function codecFloorOp({ client, prefix, hashKey, ttlSeconds, values }: FloorOptions): FloorOp {
  const codec = createCodec({ hashKey, serializer: "raw", maxAge: ttlSeconds });
  const id = randomBytes(32).toString("base64url");
  const idBytes = Buffer.from(id, "latin1");
  return async (i) => {
    const data = codec.encode(`sid#${id.slice(0, 16)}`, Buffer.from(JSON.stringify(values(i)), "utf8"));
    const cookie = codec.encode("sid", idBytes);
    await client.set(prefix + id, data, "EX", ttlSeconds);
    const cookieId = Buffer.from(codec.decode("sid", cookie) as Uint8Array).toString("latin1");
    const stored = await client.get(prefix + cookieId);
    if (stored === null) throw new Error("codec floor: the session was lost");
    const body = Buffer.from(codec.decode(`sid#${cookieId.slice(0, 16)}`, stored) as Uint8Array).toString("utf8");
    if ((JSON.parse(body) as { visits?: unknown }).visits !== i) throw new Error("codec floor: the session was lost");
  };
}
