// Checks that the HTTP benchmark's (b₁) floor (http-gorilla-app.ts) writes and reads the very format
// typed-sessions' codec does: its cookies decode with `createCodec`, the codec's decode with it, and
// re-encoding a codec cookie with its own timestamp and IV gives the same string, byte for byte. Also that
// (b₁)'s Set-Cookie attributes are (b)'s, and shows what CookieStore adds inside the value (its
// `ts1 <createdAt> +<seconds since>\n` payload header). The HTTP benchmark runs it before (b₁) is measured;
// by hand: npx tsx bench/gorilla-floor-check.ts
import assert from "node:assert/strict";
import { createHmac, randomBytes } from "node:crypto";
import { IncomingMessage, ServerResponse } from "node:http";
import { Socket } from "node:net";
import { fileURLToPath } from "node:url";
import { createCodec } from "typed-sessions/codec";
import { GORILLA_MAX_AGE, GORILLA_NAME, gorillaDecode, gorillaEncode } from "./http-gorilla-app.ts";
import { BLOCK_KEY, HASH_KEY, type HttpCase, makeApp } from "./http-server.ts";

const json = (count: number) => Buffer.from(`${JSON.stringify({ count })}\n`, "utf8");

/** The Set-Cookie header one request through `name`'s handler writes (the first, with no cookie). */
async function setCookieOf(name: HttpCase): Promise<string> {
  const app = await makeApp(name);
  const req = new IncomingMessage(new Socket());
  req.method = "GET";
  req.url = "/";
  const res = new ServerResponse(req);
  await app.handler(req, res);
  app.cleanup?.();
  const header = res.getHeader("set-cookie");
  return String(Array.isArray(header) ? header[0] : header);
}

/** Throws (an AssertionError) when the floor and the codec disagree anywhere. */
export async function checkGorillaFloor(): Promise<void> {
  const now = Math.floor(Date.now() / 1000);
  for (const blockKey of [BLOCK_KEY, undefined]) {
    const keys = { hashKey: HASH_KEY, blockKey };
    const jsonCodec = createCodec({ ...keys, serializer: "json" });
    const rawCodec = createCodec({ ...keys, serializer: "raw" });
    const mode = blockKey === undefined ? "signed" : "encrypted";

    // The floor's cookies read with the codec: as JSON, and as the exact bytes.
    const floor = gorillaEncode(HASH_KEY, blockKey, GORILLA_NAME, json(42));
    const plain = Buffer.from(floor, "base64url");
    const signedEnd = plain.lastIndexOf(0x7c, plain.length - 33);
    const reference = createHmac("sha256", HASH_KEY).update(`${GORILLA_NAME}|`).update(plain.subarray(0, signedEnd)).digest();
    assert.deepEqual(plain.subarray(signedEnd + 1), reference, `${mode}: the floor's MAC is createHmac's`);
    assert.deepEqual(jsonCodec.decode(GORILLA_NAME, floor), { count: 42 }, `${mode}: the codec reads the floor's cookie`);
    assert.deepEqual(Buffer.from(rawCodec.decode(GORILLA_NAME, floor) as Uint8Array), json(42), `${mode}: same plaintext bytes`);

    // The codec's cookies read with the floor, and re-encoded by it to the same string.
    for (const [codec, value, bytes] of [
      [jsonCodec, { count: 7 }, json(7)],
      [rawCodec, new Uint8Array(randomBytes(100)), undefined],
    ] as const) {
      const cookie = codec.encode(GORILLA_NAME, value);
      const opened = gorillaDecode(HASH_KEY, blockKey, GORILLA_NAME, cookie);
      assert.ok(opened !== undefined, `${mode}: the floor reads the codec's cookie`);
      assert.deepEqual(opened.bytes, bytes ?? Buffer.from(value as Uint8Array), `${mode}: same plaintext bytes`);
      assert.ok(Math.abs(opened.timestamp - now) <= 2, `${mode}: the timestamp is now`);
      assert.equal(opened.iv === undefined, blockKey === undefined, `${mode}: an IV exactly when encrypted`);
      const again = gorillaEncode(HASH_KEY, blockKey, GORILLA_NAME, opened.bytes, opened.timestamp, opened.iv);
      assert.equal(again, cookie, `${mode}: the floor writes the codec's bytes, given its timestamp and IV`);
    }

    // Both refuse the same forgeries: another name, a changed character, an expired timestamp.
    assert.equal(gorillaDecode(HASH_KEY, blockKey, "other", floor), undefined, `${mode}: the name is under the MAC`);
    assert.throws(() => jsonCodec.decode("other", floor), `${mode}: the codec checks the name`);
    const flipped = `${floor.slice(0, 10)}${floor[10] === "A" ? "B" : "A"}${floor.slice(11)}`;
    assert.equal(gorillaDecode(HASH_KEY, blockKey, GORILLA_NAME, flipped), undefined, `${mode}: a changed character`);
    const old = gorillaEncode(HASH_KEY, blockKey, GORILLA_NAME, json(1), now - GORILLA_MAX_AGE - 10);
    assert.equal(gorillaDecode(HASH_KEY, blockKey, GORILLA_NAME, old), undefined, `${mode}: the floor checks maxAge`);
    assert.throws(() => jsonCodec.decode(GORILLA_NAME, old), `${mode}: the codec checks maxAge`);
    assert.deepEqual(createCodec({ ...keys, serializer: "json", maxAge: 0 }).decode(GORILLA_NAME, old), { count: 1 });
  }

  // (b₁) answers with (b)'s cookie: same name, same attributes; (b)'s value holds CookieStore's own layer.
  const [b1, b] = [await setCookieOf("gorilla-cookie"), await setCookieOf("ts-cookie")];
  const attributes = (line: string) => line.split("; ").slice(1).filter((part) => !part.startsWith("Expires="));
  assert.deepEqual(attributes(b1), attributes(b), "(b₁) and (b) write the same Set-Cookie attributes");
  assert.match(b1, /; Expires=[^;]+ GMT/);
  assert.match(b, /; Expires=[^;]+ GMT/);
  const pair = b.slice(0, b.indexOf(";"));
  assert.equal(pair.slice(0, pair.indexOf("=")), GORILLA_NAME, "(b₁) and (b) name their cookie alike");
  const inner = gorillaDecode(HASH_KEY, BLOCK_KEY, GORILLA_NAME, pair.slice(pair.indexOf("=") + 1));
  assert.ok(inner !== undefined, "the floor reads (b)'s cookie");
  assert.match(inner.bytes.toString("utf8"), /^ts1 \d+ \+0\n\{"count":1\}$/, "(b)'s payload: header + the values' JSON (superjson's, without its wrapper)");
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await checkGorillaFloor();
  console.log("gorilla floor check: ok (the floor and typed-sessions' codec write and read the same cookies)");
}
