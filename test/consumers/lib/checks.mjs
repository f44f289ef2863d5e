// What every row asserts against a running consumer app, over HTTP on 127.0.0.1 with a cookie jar that
// feeds each response's Set-Cookie back into the next request.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";

/** The shared gorilla/securecookie vectors (made by Go), as the runtime rows run them. */
export const GORILLA_VECTORS = JSON.parse(readFileSync(new URL("../../fixtures/gorilla-securecookie.json", import.meta.url), "utf8"));

/** A free TCP port on 127.0.0.1 (for servers that need one given, like `next start`). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** A minimal cookie jar: name → value, updated from Set-Cookie (Max-Age ≤ 0 or an empty value deletes). */
export class Jar {
  cookies = new Map();

  header() {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  absorb(setCookies) {
    for (const line of setCookies) {
      const [pair, ...attrs] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const maxAge = attrs.map((a) => a.trim().toLowerCase()).find((a) => a.startsWith("max-age="));
      if (value === "" || (maxAge !== undefined && Number(maxAge.slice(8)) <= 0)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}

/** GET `base + path` sending `jar`'s cookies and absorbing the answer's; resolves { status, text, setCookies }. */
export async function get(base, path, jar) {
  const headers = jar && jar.cookies.size > 0 ? { cookie: jar.header() } : {};
  const res = await fetch(base + path, { headers, redirect: "manual", signal: AbortSignal.timeout(15_000) });
  const text = await res.text();
  const setCookies = res.headers.getSetCookie();
  if (jar) jar.absorb(setCookies);
  return { status: res.status, text, setCookies };
}

function json(res, what) {
  try {
    return JSON.parse(res.text);
  } catch {
    throw new assert.AssertionError({ message: `${what}: not JSON (status ${res.status}): ${res.text.slice(0, 300)}` });
  }
}

/**
 * The README's seed example: /get is empty, /set stores name=kataras in a signed (and encrypted) cookie,
 * /get reads it back through that cookie, /clear deletes it. `prefix` is where the routes live ("" or "/seed").
 */
export async function checkSeed(base, prefix = "") {
  const jar = new Jar();
  let res = await get(base, `${prefix}/get`, jar);
  assert.equal(res.status, 200, `GET ${prefix}/get: status`);
  assert.equal(res.text, "The name on the /set was: ", `GET ${prefix}/get without a cookie`);
  assert.deepEqual(res.setCookies, [], `GET ${prefix}/get stored nothing, so it must set no cookie`);

  res = await get(base, `${prefix}/set`, jar);
  assert.equal(res.text, "All ok session set to: kataras", `GET ${prefix}/set`);
  assert.equal(res.setCookies.length, 1, `GET ${prefix}/set sets one cookie: ${JSON.stringify(res.setCookies)}`);
  const cookie = res.setCookies[0];
  assert.match(cookie, /^user_sessions=[A-Za-z0-9_=-]{40,};/, "the session cookie");
  assert.match(cookie, /; HttpOnly/i, "HttpOnly by default");
  assert.match(cookie, /; SameSite=Lax/i, "SameSite=Lax by default");
  const value = cookie.slice("user_sessions=".length, cookie.indexOf(";"));
  // gorilla format: base64(timestamp "|" base64([IV] value) "|" mac); with a block key the value is AES-CTR.
  const decoded = Buffer.from(value, "base64url").toString("latin1");
  const [timestamp, payload] = decoded.split("|", 2); // the MAC after them is raw bytes, "|" included
  assert.match(timestamp, /^\d{10}$/, "the cookie starts with its signed timestamp");
  assert.doesNotMatch(Buffer.from(payload, "base64url").toString("latin1"), /kataras/, "with a block key the value is encrypted");

  res = await get(base, `${prefix}/get`, jar);
  assert.equal(res.text, "The name on the /set was: kataras", `GET ${prefix}/get with the cookie from /set`);

  const tampered = new Jar();
  tampered.cookies.set("user_sessions", value.slice(0, 20) + (value[20] === "A" ? "B" : "A") + value.slice(21));
  res = await get(base, `${prefix}/get`, tampered);
  assert.equal(res.text, "The name on the /set was: ", `GET ${prefix}/get with a tampered cookie gives a fresh session`);

  res = await get(base, `${prefix}/clear`, jar);
  assert.equal(res.text, "Cleared", `GET ${prefix}/clear`);
  res = await get(base, `${prefix}/get`, jar);
  assert.equal(res.text, "The name on the /set was: ", `GET ${prefix}/get after /clear`);
  return "seed: get/set/get/tamper/clear ok";
}

/**
 * The typed session of schemas/user.ts (routes in fixtures/typed-routes.ts): visits counts up through the
 * cookie, lastSeen comes back as a Date, the setter refuses a negative count, flashes are read once.
 */
export async function checkTyped(base, prefix = "") {
  const jar = new Jar();
  let res = await get(base, `${prefix}/visits`, jar);
  assert.equal(res.status, 200, `GET ${prefix}/visits: status (${res.text.slice(0, 200)})`);
  assert.deepEqual(json(res, "/visits"), { visits: 1, hadDate: false, cart: 1 }, "first /visits");
  assert.equal(res.setCookies.length, 1, `first /visits sets one cookie: ${JSON.stringify(res.setCookies)}`);
  assert.match(res.setCookies[0], /^user_sessions=/, "the typed session's cookie name comes from defineSession");

  res = await get(base, `${prefix}/visits`, jar);
  assert.deepEqual(json(res, "/visits"), { visits: 2, hadDate: true, cart: 2 }, "second /visits, with the cookie: visits counted up and lastSeen is a Date again");

  res = await get(base, `${prefix}/invalid`, jar);
  assert.deepEqual(json(res, "/invalid"), { code: "invalid_session_data", validation: true, visits: 2 }, "a negative visits count is refused by the setter");

  res = await get(base, `${prefix}/flash`, jar);
  assert.equal(res.status, 200, "/flash");
  res = await get(base, `${prefix}/flashes`, jar);
  assert.deepEqual(json(res, "/flashes"), { flashes: [{ kind: "info", text: "saved" }] }, "the flash, once");
  res = await get(base, `${prefix}/flashes`, jar);
  assert.deepEqual(json(res, "/flashes"), { flashes: [] }, "flashes are gone after reading");

  res = await get(base, `${prefix}/visits`, jar);
  assert.deepEqual(json(res, "/visits"), { visits: 3, hadDate: true, cart: 3 }, "third /visits");
  return "typed: visits 1→2→3, Date revived, invalid_session_data, flash once ok";
}

/**
 * GET /vectors of the runtime app (fixtures/runtimes/vectors.ts.tpl): the gorilla vectors, run on the runtime
 * itself through each codec factory typed-sessions/codec exports (`createCodec`, and any other
 * `create…Codec`), all passed: every Go-made cookie decoded, the signed-only JSON and raw ones encoded to
 * Go's exact bytes, every value round-tripped, every bad cookie refused with its code. The report must name
 * the runtime `runtime` matches (the row runs where it says). Where the runtime has Node's built-ins
 * (`nodeBuiltins`: Node, Bun, Deno) every factory must run; elsewhere (workerd, edge-runtime) a factory may
 * instead refuse every call with one typed SessionError, saying it cannot run there, so long as another runs.
 */
export async function checkVectors(base, runtime, { nodeBuiltins }) {
  const res = await get(base, "/vectors");
  assert.equal(res.status, 200, `GET /vectors: status (${res.text.slice(0, 300)})`);
  const report = json(res, "/vectors");
  assert.match(report.runtime, runtime, "the runtime the vectors ran on");
  const { accept, reject } = GORILLA_VECTORS;
  const exact = accept.filter((v) => v.blockKey === null && v.serializer !== "superjson" && v.decodeWith === undefined).length;
  const want = { decoded: accept.length, encodedExact: exact, roundTrips: accept.length, refused: reject.length };
  assert.ok(report.codecs.some((c) => c.factory === "createCodec"), `typed-sessions/codec exports createCodec: ${report.codecs.map((c) => c.factory).join(", ")}`);
  const notes = [];
  for (const c of report.codecs) {
    if (c.unavailable !== undefined) {
      assert.ok(!nodeBuiltins, `${c.factory} refuses to run on ${report.runtime}, which has Node's built-ins: ${c.unavailable}`);
      notes.push(`${c.factory} refuses to run here with a typed error (${c.unavailable.length > 240 ? `${c.unavailable.slice(0, 240)}…` : c.unavailable})`);
      continue;
    }
    assert.ok(
      c.failures.length === 0,
      `${c.failures.length} gorilla vector check(s) failed with ${c.factory} on ${report.runtime}:\n  ${c.failures.slice(0, 12).join("\n  ")}${c.failures.length > 12 ? `\n  … ${c.failures.length - 12} more` : ""}`,
    );
    const got = { decoded: c.decoded, encodedExact: c.encodedExact, roundTrips: c.roundTrips, refused: c.refused };
    assert.deepEqual(got, want, `${c.factory}: every vector was checked`);
    notes.push(`${c.factory}: ${c.decoded} Go cookies decoded, ${c.encodedExact} encoded to Go's bytes, ${c.roundTrips} round trips, ${c.refused} bad cookies refused`);
  }
  assert.ok(report.codecs.some((c) => c.unavailable === undefined), `no codec of typed-sessions/codec runs on ${report.runtime}`);
  return `vectors on ${report.runtime} (Buffer ${report.globals.Buffer}, process ${report.globals.process}): ${notes.join("; ")}`;
}

/** Checks `npx typed-sessions keygen --block` output and returns the keys as env vars. */
export function parseKeys(stdout) {
  const hash = /^SESSION_HASH_KEY=([0-9a-f]{128})$/m.exec(stdout);
  const block = /^SESSION_BLOCK_KEY=([0-9a-f]{64})$/m.exec(stdout);
  assert.ok(hash, `keygen printed no 64-byte hex SESSION_HASH_KEY: ${stdout.slice(0, 300)}`);
  assert.ok(block, `keygen --block printed no 32-byte hex SESSION_BLOCK_KEY: ${stdout.slice(0, 300)}`);
  return { SESSION_HASH_KEY: hash[1], SESSION_BLOCK_KEY: block[1] };
}
