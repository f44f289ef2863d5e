// The runtime-neutral core on a runtime without Node, simulated on Node: `process.getBuiltinModule` answers
// nothing and `Buffer` is gone, then the entry points are imported afresh (their modules pick node:crypto or
// WebCrypto when they load). Sessions must still round-trip, through the Fetch adapter as a worker runs
// them, and their cookies must read the same on Node. While the library runs, the global `Buffer` throws
// when the code reading it is the library's own (src/): Node's own Fetch classes (undici) read it too, and
// must keep it; it is back for the assertions (vitest formats failures with it).
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { fileURLToPath } from "node:url";
import * as nodeSide from "../../src/index.ts";
import { createCodec } from "../../src/codec.ts";

type Entries = {
  index: typeof import("../../src/index.ts");
  codec: typeof import("../../src/codec.ts");
  fetch: typeof import("../../src/fetch.ts");
  user: typeof import("../../schemas/user.gen.ts");
};

const HASH_KEY_HEX = "0f".repeat(32);
const BLOCK_KEY_HEX = "a5".repeat(32);

let restore: (() => void) | undefined;
const realBuffer = globalThis.Buffer;
const SRC = fileURLToPath(new URL("../../src/", import.meta.url));
/** Where library code read the global Buffer (each is also thrown at it). */
const bufferReads: string[] = [];

/**
 * Runs `run` with the global `Buffer` refused to the library's own modules, as on a runtime without Node;
 * puts it back before returning.
 */
async function withoutBuffer<T>(run: () => Promise<T> | T): Promise<T> {
  Object.defineProperty(globalThis, "Buffer", {
    configurable: true,
    get() {
      const caller = new Error().stack?.split("\n")[2] ?? "";
      if (!caller.includes(SRC)) return realBuffer;
      bufferReads.push(caller.trim());
      throw new TypeError(`the global Buffer was read by library code: ${caller.trim()}`);
    },
  });
  try {
    return await run();
  } finally {
    Object.defineProperty(globalThis, "Buffer", { configurable: true, writable: true, value: realBuffer });
  }
}

/** Hides Node's built-ins (for the whole test) and imports the entry points afresh, without Buffer. */
async function importWithoutNode(): Promise<Entries> {
  const process = globalThis.process as { getBuiltinModule?: unknown };
  const getBuiltinModule = process.getBuiltinModule;
  process.getBuiltinModule = undefined;
  restore = () => {
    process.getBuiltinModule = getBuiltinModule;
  };
  vi.resetModules();
  const [index, codec, fetch, user] = await withoutBuffer(() =>
    Promise.all([import("../../src/index.ts"), import("../../src/codec.ts"), import("../../src/fetch.ts"), import("../../schemas/user.gen.ts")]),
  );
  return { index, codec, fetch, user };
}

/** Sends `request` through `handler` and returns the response with the cookies it set, as `name=value` pairs. */
async function send(handler: (request: Request) => Promise<Response>, request: Request) {
  const response = await handler(request);
  const cookies = response.headers.getSetCookie().map((header) => header.slice(0, header.indexOf(";")));
  return { response, cookies, body: await response.text() };
}

describe("the core on a runtime without node:crypto and Buffer", () => {
  let entries: Entries;
  beforeAll(async () => {
    // Node's own Fetch classes (undici) load on first use, with Buffer: load them while it is there.
    await new Response(new Request("https://example.test/", { headers: { cookie: "a=b" } }).body).text();
  });
  beforeEach(async () => {
    entries = await importWithoutNode();
  });
  afterEach(() => {
    expect(bufferReads).toEqual([]);
    restore?.();
    restore = undefined;
    vi.resetModules();
  });

  it("hides node:crypto: the modules took their portable paths", async () => {
    expect((globalThis.process as { getBuiltinModule?: unknown }).getBuiltinModule).toBeUndefined();
    const key = await withoutBuffer(() => entries.index.generateRandomKey(4));
    expect(key).toBeInstanceOf(Uint8Array);
    expect(key).not.toBeInstanceOf(realBuffer); // on Node's path it would be drawn into a Buffer-backed pool
  });

  it("refuses createCodec with unsupported_runtime, pointing at createWebCryptoCodec, which works", async () => {
    const { codec } = entries;
    const keys = { hashKey: codec.keyFromHex(HASH_KEY_HEX), blockKey: codec.keyFromHex(BLOCK_KEY_HEX, "b") };
    const refusal = await withoutBuffer(() => {
      try {
        codec.createCodec(keys);
        return undefined;
      } catch (err) {
        return err;
      }
    });
    expect(refusal).toMatchObject({ code: "unsupported_runtime", kind: "usage", message: expect.stringContaining("createWebCryptoCodec") });
    const roundTrip = await withoutBuffer(async () => {
      const web = codec.createWebCryptoCodec({ ...keys, serializer: "json" });
      return web.decode("s", await web.encode("s", { a: [1, "é"] }));
    });
    expect(roundTrip).toEqual({ a: [1, "é"] });
  });

  it("round-trips a typed session through the Fetch adapter, with a Date, a flash and a regenerate", async () => {
    const { index, fetch, user } = entries;
    const store = new index.CookieStore({ hashKey: index.keyFromHex(HASH_KEY_HEX), blockKey: index.keyFromHex(BLOCK_KEY_HEX, "b", { minBytes: 16 }) });
    const users = user.user.sessions(store);
    const when = new Date(1_700_000_000_000);
    const handler = fetch.fetchSessions(
      async (request) => {
        const session = await users.get(request);
        if (new URL(request.url).pathname === "/login") {
          session.name = "ada";
          session.lastSeen = when;
          session.addFlash({ kind: "info", text: "welcome" });
          await session.regenerate();
          return new Response("signed in");
        }
        session.visits += 1;
        const flashes = session.flashes().map((flash) => flash.text).join(",");
        return new Response(`${session.name}:${session.visits}:${session.lastSeen?.toISOString() ?? "-"}:${flashes}`);
      },
      { saveAll: true },
    );
    const { first, second } = await withoutBuffer(async () => {
      const first = await send(handler, new Request("https://example.test/login"));
      const second = await send(handler, new Request("https://example.test/", { headers: { cookie: first.cookies[0] ?? "" } }));
      return { first, second };
    });
    expect(first.cookies).toHaveLength(1);
    const cookie = first.cookies[0] as string;
    expect(second.body).toBe(`ada:1:${when.toISOString()}:welcome`);

    // The cookie is gorilla's format on the same keys: Node's node:crypto codec reads it too.
    const decoded = createCodec({ hashKey: nodeSide.keyFromHex(HASH_KEY_HEX), blockKey: nodeSide.keyFromHex(BLOCK_KEY_HEX, "b", { minBytes: 16 }), serializer: "raw" })
      .decode("user_sessions", decodeURIComponent(cookie.slice(cookie.indexOf("=") + 1))) as Uint8Array;
    expect(new TextDecoder().decode(decoded)).toMatch(/^ts1 \d+ \+?\d+\n.*"name":"ada"/s);
  });

  it("round-trips server sessions: ids, CSRF tokens, regenerate and log-out-everywhere on a MemoryStore", async () => {
    const { index, fetch } = entries;
    const store = new index.MemoryStore({ hashKey: index.generateRandomKey(32) });
    const accounts = index.sessions("sid", store, { userKey: (values) => values["user"] as string | undefined });
    let token = "";
    const handler = fetch.fetchSessions(async (request) => {
      const session = await accounts.get(request);
      const path = new URL(request.url).pathname;
      if (path === "/login") {
        session.set("user", "u1");
        token = index.csrfToken(session);
        await session.regenerate();
        token = index.csrfToken(session); // regenerate drops the token: a new one
      }
      return new Response(`${session.getString("user") ?? "-"}:${index.verifyCsrfToken(session, token)}`);
    }, { saveAll: true });
    const bodies = await withoutBuffer(async () => {
      const login = await send(handler, new Request("https://example.test/login"));
      const cookie = login.cookies[0] ?? "";
      const again = await send(handler, new Request("https://example.test/", { headers: { cookie } }));
      const revoked = await store.destroyAll("u1");
      const after = await send(handler, new Request("https://example.test/", { headers: { cookie } }));
      return [login.body, cookie.slice(0, 4), again.body, revoked, after.body];
    });
    expect(bodies).toEqual(["u1:true", "sid=", "u1:true", 1, "-:false"]);
  });

  it("reads keys and makes new ones without Buffer", async () => {
    const { index } = entries;
    const read = await withoutBuffer(() => {
      const refused = (() => {
        try {
          return index.keyFromBase64("not base64!");
        } catch (err) {
          return err;
        }
      })();
      return [index.keyFromHex(HASH_KEY_HEX), index.keyFromBase64(`${"A".repeat(42)}Q=`), index.keyFromBase64("_".repeat(43) + "w"), refused];
    });
    expect(read).toEqual([
      new Uint8Array(32).fill(0x0f),
      new Uint8Array(Buffer.from(`${"A".repeat(42)}Q=`, "base64")),
      new Uint8Array(Buffer.from("_".repeat(43) + "w", "base64url")),
      expect.objectContaining({ code: "invalid_option" }),
    ]);
    const [a, b] = await withoutBuffer(() => [index.generateRandomKey(64), index.generateRandomKey(64)]);
    expect(a).toHaveLength(64);
    expect(a).not.toEqual(b);
  });

  it("refuses a FilesystemStore with unsupported_runtime, saying what to use instead", async () => {
    const { index } = entries;
    const refusal = await withoutBuffer(() => {
      try {
        return new index.FilesystemStore({ hashKey: index.generateRandomKey(32), dir: "/tmp/never-created" });
      } catch (err) {
        return err;
      }
    });
    expect(refusal).toMatchObject({ code: "unsupported_runtime", message: expect.stringContaining("CookieStore") });
  });
});
