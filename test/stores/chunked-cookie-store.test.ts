// CookieStore with chunking, through the Fetch adapter's context and a cookie jar that honours Max-Age=0:
// growth, shrink, broken sets, caps, attributes, several sessions, regenerate and destroy.
import { parseSetCookie } from "cookie";
import { describe, expect, it } from "vitest";
import { type SessionError, isSessionError } from "../../src/errors.ts";
import type { FetchContext } from "../../src/http/fetch.ts";
import { sessions } from "../../src/session/manager.ts";
import { CookieStore, type CookieStoreOptions } from "../../src/stores/cookie-store.ts";
import { CookieJar } from "./cookie-jar.ts";

const KEYS = { hashKey: "h".repeat(32), blockKey: "b".repeat(32) };
/** Blob lengths whose session takes one, two and three chunks with 4096-byte chunks (checked below). */
const ONE = 100;
const TWO = 3000;
const THREE = 5000;

function chunkedStore(options: Partial<CookieStoreOptions> = {}, errors: SessionError[] = []): CookieStore {
  return new CookieStore({ ...KEYS, chunking: { maxBytes: 16_000 }, onError: (err) => errors.push(err), ...options } as CookieStoreOptions);
}

/** The names the lines of a response set (not expire), and those they expire, in order. */
function setAndExpired(ctx: FetchContext): { set: string[]; expired: string[] } {
  const set: string[] = [];
  const expired: string[] = [];
  for (const line of ctx.headers.getSetCookie()) {
    const cookie = parseSetCookie(line);
    (cookie.maxAge !== undefined && cookie.maxAge <= 0 ? expired : set).push(cookie.name);
  }
  return { set, expired };
}

/** A line's attributes: everything after `name=value`, with the Expires date (which moves with the clock) blanked. */
function attributesOf(line: string): string {
  return line.slice(line.indexOf(";")).replace(/Expires=[^;]+/, "Expires=…");
}

/** One request of a visitor: loads session `name`, lets `change` act on it, saves, and feeds the jar. */
async function visit(jar: CookieJar, store: CookieStore, change: (session: Awaited<ReturnType<ReturnType<typeof sessions>["get"]>>) => void | Promise<void>, name = "s"): Promise<FetchContext> {
  const ctx = jar.context();
  const session = await sessions(name, store).get(ctx);
  await change(session);
  if (!session.isDestroyed) await session.save();
  jar.absorb(ctx.headers);
  return ctx;
}

const blob = (length: number) => (session: { set(key: string, value: unknown): unknown }) => void session.set("blob", "x".repeat(length));

describe("CookieStore with chunking", () => {
  it("sends a session that fits in one cookie as that one cookie, readable with chunking off, and the other way round", async () => {
    const chunked = chunkedStore();
    const plain = new CookieStore(KEYS);
    const jar = new CookieJar();
    const ctx = await visit(jar, chunked, blob(ONE));
    expect(setAndExpired(ctx)).toEqual({ set: ["s"], expired: [] });
    expect((await sessions("s", plain).get(jar.context())).get("blob")).toBe("x".repeat(ONE));
    const back = new CookieJar();
    await visit(back, plain, blob(ONE));
    expect((await sessions("s", chunked).get(back.context())).get("blob")).toBe("x".repeat(ONE));
  });

  it("grows from one cookie to two and three, each Set-Cookie within 4096 bytes, and reads the whole value back", async () => {
    const store = chunkedStore();
    const jar = new CookieJar();
    for (const [length, names] of [
      [ONE, ["s"]],
      [TWO, ["s", "s.1"]],
      [THREE, ["s", "s.1", "s.2"]],
    ] as const) {
      const ctx = await visit(jar, store, blob(length));
      expect(setAndExpired(ctx)).toEqual({ set: names, expired: [] });
      for (const line of ctx.headers.getSetCookie()) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(4096);
      expect([...jar.cookies.keys()]).toEqual(names);
      expect((await sessions("s", store).get(jar.context())).get("blob")).toBe("x".repeat(length));
    }
  });

  it("fills every chunk but the last to exactly the 4096-byte limit", async () => {
    const ctx = await visit(new CookieJar(), chunkedStore(), blob(THREE));
    const sizes = ctx.headers.getSetCookie().map((line) => Buffer.byteLength(line));
    expect(sizes.slice(0, 2)).toEqual([4096, 4096]);
    expect(sizes[2]).toBeLessThan(4096);
  });

  it("expires s.1 and s.2 when a session of three cookies shrinks to one, and only s.2 when it shrinks to two", async () => {
    const store = chunkedStore();
    const jar = new CookieJar();
    await visit(jar, store, blob(THREE));
    const toTwo = await visit(jar, store, blob(TWO));
    expect(setAndExpired(toTwo)).toEqual({ set: ["s", "s.1"], expired: ["s.2"] });
    await visit(jar, store, blob(THREE));
    const toOne = await visit(jar, store, blob(ONE));
    expect(setAndExpired(toOne)).toEqual({ set: ["s"], expired: ["s.1", "s.2"] });
    expect([...jar.cookies.keys()]).toEqual(["s"]);
    expect((await sessions("s", store).get(jar.context())).get("blob")).toBe("x".repeat(ONE));
    const again = await visit(jar, store, blob(ONE + 1)); // nothing stale left: no expiry line
    expect(setAndExpired(again)).toEqual({ set: ["s"], expired: [] });
  });

  it("writes every chunk, and every expiry, with the same attributes (the session's own too)", async () => {
    const store = chunkedStore({ cookie: { domain: "example.com", path: "/app", sameSite: "strict", maxAge: 3600 } });
    const jar = new CookieJar();
    const grown = await visit(jar, store, (session) => {
      blob(THREE)(session);
      session.cookie.maxAge = 600; // a per-session change goes to every chunk
    });
    const lines = grown.headers.getSetCookie();
    expect(lines).toHaveLength(3);
    expect(new Set(lines.map(attributesOf))).toEqual(new Set(["; Max-Age=600; Domain=example.com; Path=/app; Expires=…; HttpOnly; Secure; SameSite=Strict"]));
    const shrunk = await visit(jar, store, blob(ONE));
    const expiries = shrunk.headers.getSetCookie().filter((line) => /Max-Age=0/.test(line));
    expect(expiries).toHaveLength(2);
    for (const line of expiries) {
      expect(attributesOf(line)).toBe("; Max-Age=0; Domain=example.com; Path=/app; Expires=…; HttpOnly; Secure; SameSite=Strict");
      expect(line).toMatch(/^s\.[12]=;/);
    }
  });

  describe("a broken set of chunks gives a fresh session and reports a decode error", () => {
    /** A jar holding a three-chunk session, the store, and what its onError saw. */
    async function threeChunks() {
      const errors: SessionError[] = [];
      const store = chunkedStore({}, errors);
      const jar = new CookieJar();
      await visit(jar, store, (session) => void session.set("role", "admin").set("blob", "x".repeat(THREE)));
      expect(jar.cookies.size).toBe(3);
      return { store, jar, errors };
    }
    const values = (jar: CookieJar) => ["s", "s.1", "s.2"].map((name) => jar.cookies.get(name) ?? "");

    it.each([
      ["s.1 missing (s.2 left after the gap)", (jar: CookieJar) => void jar.cookies.delete("s.1"), "invalid_chunks"],
      ["s missing", (jar: CookieJar) => void jar.cookies.delete("s"), "invalid_chunks"],
      ["one chunk past the cap (s.4 with maxChunks 4)", (jar: CookieJar) => void jar.cookies.set("s.3", "AAAA").set("s.4", "AAAA"), "invalid_chunks"],
      ["the last chunk missing", (jar: CookieJar) => void jar.cookies.delete("s.2"), "decode"],
      ["an extra chunk after the last", (jar: CookieJar) => void jar.cookies.set("s.3", "AAAA"), "decode"],
      [
        "two chunks swapped",
        (jar: CookieJar) => {
          const [, one, two] = values(jar);
          jar.cookies.set("s.1", two as string).set("s.2", one as string);
        },
        "decode",
      ],
      [
        "a chunk altered",
        (jar: CookieJar) => {
          const one = jar.cookies.get("s.1") ?? "";
          jar.cookies.set("s.1", `${one.slice(0, 100)}${one[100] === "A" ? "B" : "A"}${one.slice(101)}`);
        },
        "decode",
      ],
    ])("%s", async (_label, breakIt, expected) => {
      const { store, jar, errors } = await threeChunks();
      breakIt(jar);
      const session = await sessions("s", store).get(jar.context());
      expect(session.isNew).toBe(true);
      expect(session.get("role")).toBeUndefined();
      expect(errors).toHaveLength(1);
      const [err] = errors;
      expect(err?.kind).toBe("decode");
      if (expected === "invalid_chunks") expect(err?.code).toBe("invalid_chunks");
      else expect(err?.code).not.toBe("invalid_chunks"); // what the codec says of the joined value (the MAC covers it)
    });

    it("replaces a broken set on the next save, expiring the stray chunks the request carried", async () => {
      const { store, jar } = await threeChunks();
      jar.cookies.delete("s.1");
      jar.cookies.set("s.3", "AAAA");
      const ctx = await visit(jar, store, blob(ONE));
      expect(setAndExpired(ctx)).toEqual({ set: ["s"], expired: ["s.2", "s.3"] });
      expect([...jar.cookies.keys()]).toEqual(["s"]);
    });
  });

  describe("caps", () => {
    it("refuses a session over maxChunks or maxBytes with chunk_limit_exceeded, writing no header", async () => {
      for (const options of [{ chunking: { maxChunks: 2, maxBytes: 16_000 } }, { chunking: { maxBytes: 8000 } }]) {
        const ctx = new CookieJar().context();
        const session = await sessions("s", chunkedStore(options)).get(ctx);
        session.set("blob", "x".repeat(THREE));
        const err: unknown = await session.save().catch((e: unknown) => e);
        expect(isSessionError(err, "chunk_limit_exceeded")).toBe(true);
        expect((err as SessionError).kind).toBe("usage");
        expect((err as Error).message).toMatch(/^typed-sessions: session "s" would take 3 cookies and \d+ bytes of a request's Cookie header, over its store's chunking caps .*store less in it, or keep it in a server-side store/);
        expect(ctx.headers.getSetCookie()).toEqual([]);
      }
    });

    it("takes two 4096-byte chunks and 6144 bytes of Cookie header with chunking: true", async () => {
      const store = new CookieStore({ ...KEYS, chunking: true });
      expect(store.chunking).toEqual({ maxChunks: 4, maxBytes: 6144 });
      const jar = new CookieJar();
      const ctx = await visit(jar, store, blob(TWO));
      expect(setAndExpired(ctx).set).toEqual(["s", "s.1"]);
      expect(jar.header().length).toBeLessThanOrEqual(6144);
      const session = await sessions("s", store).get(jar.context());
      session.set("blob", "x".repeat(3500)); // about 6.4 KB of cookies
      await expect(session.save()).rejects.toMatchObject({ code: "chunk_limit_exceeded" });
    });

    it("keeps cookie_too_large, and ignores chunk-like cookies, without chunking", async () => {
      const errors: SessionError[] = [];
      const store = new CookieStore({ ...KEYS, onError: (err) => errors.push(err) });
      expect(store.chunking).toBeUndefined();
      const jar = new CookieJar();
      await visit(jar, store, blob(ONE));
      jar.cookies.set("s.1", "AAAA").set("s.5", "AAAA");
      const ctx = jar.context();
      const session = await sessions("s", store).get(ctx);
      expect(session.get("blob")).toBe("x".repeat(ONE));
      session.set("blob", "x".repeat(TWO));
      await expect(session.save()).rejects.toMatchObject({ code: "cookie_too_large" });
      session.set("blob", "y");
      await session.save();
      await session.destroy();
      expect(setAndExpired(ctx)).toEqual({ set: [], expired: ["s"] });
      expect(errors).toEqual([]);
    });

    it("refuses chunking without a per-cookie limit, and caps out of range, when the store is created", () => {
      expect(() => new CookieStore({ ...KEYS, maxLength: 0, chunking: true })).toThrow(expect.objectContaining({ code: "invalid_option" }));
      expect(() => new CookieStore({ ...KEYS, chunking: { maxChunks: 1 } })).toThrow(expect.objectContaining({ code: "invalid_option" }));
    });
  });

  it("keeps several chunked sessions of one request apart (names that share a prefix too)", async () => {
    const store = chunkedStore();
    const plain = new CookieStore(KEYS);
    const jar = new CookieJar();
    const ctx = jar.context();
    const a = await sessions("a", store).get(ctx);
    const ab = await sessions("ab", store).get(ctx);
    const c = await sessions("c", plain).get(ctx);
    a.set("blob", "a".repeat(THREE));
    ab.set("blob", "b".repeat(TWO));
    c.set("n", 1);
    await Promise.all([a.save(), ab.save(), c.save()]);
    jar.absorb(ctx.headers);
    expect([...jar.cookies.keys()].sort()).toEqual(["a", "a.1", "a.2", "ab", "ab.1", "c"]);
    const next = jar.context();
    expect((await sessions("a", store).get(next)).get("blob")).toBe("a".repeat(THREE));
    expect((await sessions("ab", store).get(next)).get("blob")).toBe("b".repeat(TWO));
    expect((await sessions("c", plain).get(next)).get("n")).toBe(1);
    const shrink = await visit(jar, store, blob(ONE), "a");
    expect(setAndExpired(shrink)).toEqual({ set: ["a"], expired: ["a.1", "a.2"] });
    expect([...jar.cookies.keys()].sort()).toEqual(["a", "ab", "ab.1", "c"]);
  });

  it("sends one line per cookie when a session grows and shrinks within one request", async () => {
    const store = chunkedStore();
    const jar = new CookieJar();
    const ctx = jar.context();
    const session = await sessions("s", store).get(ctx);
    session.set("blob", "x".repeat(THREE));
    await session.save();
    expect(setAndExpired(ctx)).toEqual({ set: ["s", "s.1", "s.2"], expired: [] });
    session.set("blob", "x".repeat(ONE));
    await session.save(); // s.1 and s.2 were never in the browser, but the response set them: they are expired instead
    expect(setAndExpired(ctx)).toEqual({ set: ["s"], expired: ["s.1", "s.2"] });
    jar.absorb(ctx.headers);
    expect([...jar.cookies.keys()]).toEqual(["s"]);
  });

  it("rewrites every chunk on regenerate, and expires every chunk at destroy", async () => {
    const store = chunkedStore();
    const jar = new CookieJar();
    await visit(jar, store, blob(THREE));
    const before = [...jar.cookies.values()];
    const regenerated = await visit(jar, store, (session) => session.regenerate());
    expect(setAndExpired(regenerated)).toEqual({ set: ["s", "s.1", "s.2"], expired: [] });
    expect([...jar.cookies.values()]).not.toEqual(before);
    const destroyed = await visit(jar, store, (session) => session.destroy());
    expect(setAndExpired(destroyed)).toEqual({ set: [], expired: ["s", "s.1", "s.2"] });
    expect(jar.cookies.size).toBe(0);
  });

  it("expires the chunks a save of the same request set when the session is destroyed after it", async () => {
    const store = chunkedStore();
    const jar = new CookieJar();
    await visit(jar, store, blob(TWO));
    const ctx = await visit(jar, store, async (session) => {
      blob(THREE)(session);
      await session.save();
      await session.destroy();
    });
    expect(setAndExpired(ctx)).toEqual({ set: [], expired: ["s", "s.1", "s.2"] });
    expect(jar.cookies.size).toBe(0);
  });

  it("keeps a __Host- prefix on every chunk, each with what the prefix requires (Secure, Path=/, no Domain)", async () => {
    const jar = new CookieJar();
    const ctx = await visit(jar, chunkedStore(), blob(TWO), "__Host-s");
    expect(setAndExpired(ctx)).toEqual({ set: ["__Host-s", "__Host-s.1"], expired: [] });
    for (const line of ctx.headers.getSetCookie()) {
      expect(line).toMatch(/; Path=\/;/);
      expect(line).toMatch(/; Secure/);
      expect(line).not.toMatch(/Domain=/);
    }
    expect((await sessions("__Host-s", chunkedStore()).get(jar.context())).get("blob")).toBe("x".repeat(TWO));
  });

  it("deletes the session through maxAge < 0 like destroy, every chunk", async () => {
    const store = chunkedStore();
    const jar = new CookieJar();
    await visit(jar, store, blob(THREE));
    const ctx = await visit(jar, store, (session) => {
      session.cookie.maxAge = -1;
    });
    expect(setAndExpired(ctx)).toEqual({ set: [], expired: ["s", "s.1", "s.2"] });
  });
});
