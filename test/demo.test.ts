import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createDemoServer } from "../examples/demo/app.ts";
import { loadDemoKeys } from "../examples/demo/keys.ts";
import type { SessionError } from "../src/errors.ts";
import { CookieStore } from "../src/stores/cookie-store.ts";
import { MemoryStore } from "../src/stores/memory-store.ts";
import type { Store } from "../src/stores/store.ts";
import { CookieJar } from "./stores/cookie-jar.ts";

const keys = { hashKey: "d".repeat(32), blockKey: "D".repeat(32) };

describe("demo server", () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
  });

  /** Starts the demo on an ephemeral port; returns a fetch that carries a cookie jar. */
  async function start(store: Store): Promise<(path: string, init?: RequestInit) => Promise<Response>> {
    server = createDemoServer({ store });
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const jar = new CookieJar();
    return async (path, init = {}) => {
      const headers = new Headers(init.headers);
      if (jar.cookies.size > 0) headers.set("cookie", jar.header());
      const response = await fetch(base + path, { ...init, headers, redirect: "manual" });
      jar.absorb(response.headers);
      return response;
    };
  }

  it.each([
    ["cookie", () => new CookieStore(keys)],
    ["memory", () => new MemoryStore(keys)],
  ])("walks /set → /get → /clear → /get with the %s store", async (_label, makeStore) => {
    const get = await start(makeStore());
    expect(await (await get("/get")).text()).toBe("The name on the /set was: ");
    expect(await (await get("/set")).text()).toBe("All ok session set to: kataras");
    expect(await (await get("/get")).text()).toBe("The name on the /set was: kataras");
    await get("/clear");
    expect(await (await get("/get")).text()).toBe("The name on the /set was: ");
  });

  it.each([
    ["cookie", (onError: (err: SessionError) => void) => new CookieStore({ ...keys, onError })],
    ["memory", (onError: (err: SessionError) => void) => new MemoryStore({ ...keys, onError })],
  ])("does not load the session of a cookie with a \"j\" respelled as a percent-encoded \"Ū\" (%s store)", async (_label, makeStore) => {
    const errors: SessionError[] = [];
    server = createDemoServer({ store: makeStore((err) => errors.push(err)) });
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    let pair = "";
    for (let tries = 0; !pair.split("=").slice(1).join("=").includes("j") && tries < 500; tries++) {
      pair = (await fetch(`${base}/set`)).headers.getSetCookie()[0]?.split(";")[0] ?? "";
    }
    const [name = "", ...rest] = pair.split("=");
    const value = rest.join("=");
    expect(value).toContain("j");
    const getWith = async (cookie: string) => (await fetch(`${base}/get`, { headers: { cookie: `${name}=${cookie}` } })).text();
    expect(await getWith(value)).toBe("The name on the /set was: kataras");
    const respelled = encodeURIComponent(value.replace("j", "\u016a")); // "%C5%AA": the header stays ASCII
    expect(respelled).toContain("%C5%AA");
    expect(await getWith(respelled)).toBe("The name on the /set was: ");
    expect(errors.map((err) => [err.kind, err.code])).toEqual([["decode", "invalid_base64"]]);
  });

  /** GETs `path` (a page with a form) and returns the CSRF token in it. */
  async function tokenFrom(get: (path: string, init?: RequestInit) => Promise<Response>, path: string): Promise<string> {
    const token = /name="_csrf" value="([A-Za-z0-9_-]{43})"/.exec(await (await get(path)).text())?.[1];
    expect(token).toBeDefined();
    return token ?? "";
  }

  const formPost = (body: string): RequestInit => ({ method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body });

  it("refuses a login or logout POST without the session's CSRF token with 403, and GET /logout with 405", async () => {
    const store = new MemoryStore(keys);
    const get = await start(store);
    expect((await get("/login", formPost("username=Ada"))).status).toBe(403); // no session, no token
    const token = await tokenFrom(get, "/login");
    expect((await get("/login", formPost(`username=Ada&_csrf=${"x".repeat(43)}`))).status).toBe(403);
    expect((await get("/login", formPost("username=Ada"))).status).toBe(403);
    expect(await (await get("/")).text()).toContain("Not logged in");
    expect((await get("/login", formPost(`username=Ada&_csrf=${token}`))).status).toBe(303);
    const logoutGet = await get("/logout");
    expect(logoutGet.status).toBe(405);
    expect(logoutGet.headers.get("allow")).toBe("POST");
    expect((await get("/logout", formPost(`_csrf=${token}`))).status).toBe(403); // the pre-login token was rotated
    expect((await get("/logout", formPost(""))).status).toBe(403);
    expect(await (await get("/")).text()).toContain("Hello, Ada.");
    const fresh = await tokenFrom(get, "/");
    expect(fresh).not.toBe(token);
    expect((await get("/logout", formPost(`_csrf=${fresh}`))).status).toBe(303);
    expect(await (await get("/")).text()).toContain("Not logged in");
  });

  it("shows flashes once", async () => {
    const get = await start(new CookieStore(keys));
    await get("/flash");
    await get("/flash");
    expect(await (await get("/flashes")).json()).toEqual(["Hello, flash!", "Hello, flash!"]);
    expect(await (await get("/flashes")).json()).toEqual([]);
  });

  it("logs in with a new session id, flashes a welcome, and logs out", async () => {
    const store = new MemoryStore(keys);
    const get = await start(store);
    const first = await get("/set");
    const before = first.headers.getSetCookie()[0]?.split(";")[0];
    const token = await tokenFrom(get, "/login");
    const login = await get("/login", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `username=Ada+%3Cb%3E&remember=on&_csrf=${token}`,
    });
    expect(login.status).toBe(303);
    expect(login.headers.get("location")).toBe("/");
    const lines = login.headers.getSetCookie();
    expect(lines).toHaveLength(1);
    expect(lines[0]?.split(";")[0]).not.toBe(before);
    expect(lines[0]).toContain("Max-Age=2592000");
    const home = await (await get("/")).text();
    expect(home).toContain("Welcome, Ada &#60;b&#62;!");
    expect(home).toContain("Hello, Ada &#60;b&#62;.");
    expect(await (await get("/get")).text()).toBe("The name on the /set was: kataras");
    expect(store.backend.size).toBe(1); // the pre-login session's data is gone
    const logout = await get("/logout", formPost(`_csrf=${await tokenFrom(get, "/")}`));
    expect(logout.headers.getSetCookie()[0]).toContain("Max-Age=0");
    expect(store.backend.size).toBe(0);
    expect(await (await get("/")).text()).toContain("Not logged in");
  });

  it("sets a browser-session cookie when remember me is unchecked", async () => {
    const get = await start(new CookieStore(keys));
    const token = await tokenFrom(get, "/login");
    const login = await get("/login", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: `username=Ada&_csrf=${token}` });
    expect(login.headers.getSetCookie()[0]).not.toMatch(/Max-Age|Expires/);
    const later = await get("/set"); // a later change re-sends the cookie: still a browser-session one
    expect(later.headers.getSetCookie()).toHaveLength(1);
    expect(later.headers.getSetCookie()[0]).not.toMatch(/Max-Age|Expires/);
  });

  it.each([
    ["cookie", () => new CookieStore(keys)],
    ["memory", () => new MemoryStore(keys)],
  ])("gives visitors who store nothing no cookie and no server data (%s store)", async (_label, makeStore) => {
    const store = makeStore();
    const get = await start(store);
    // Not /login: its form carries a CSRF token, which has to be stored in the session (a cookie).
    for (const path of ["/", "/get", "/flashes", "/logout"]) {
      const response = await get(path);
      expect(response.headers.getSetCookie().filter((line) => !/Max-Age=0/.test(line))).toEqual([]);
    }
    if (store instanceof MemoryStore) expect(store.backend.size).toBe(0);
  });
});

describe("demo keys", () => {
  it("generates development keys once into a 0600 file, saying so in one line, then reuses them", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ts-demo-keys-"));
    try {
      const file = join(dir, ".dev-keys.json");
      const lines: string[] = [];
      const first = loadDemoKeys({}, file, (line) => lines.push(line));
      const second = loadDemoKeys({}, file, (line) => lines.push(line));
      expect(second.hashKey.equals(first.hashKey)).toBe(true);
      expect(first.hashKey).toHaveLength(64);
      expect(first.blockKey).toHaveLength(32);
      expect(lines[0]).toMatch(/generated development keys/);
      expect(lines).toHaveLength(2);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect(JSON.parse(await readFile(file, "utf8"))).toHaveProperty("hashKey");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("reads hex keys from the environment and refuses non-hex ones", () => {
    const keys = loadDemoKeys({ SESSION_HASH_KEY: "ab".repeat(32), SESSION_BLOCK_KEY: "cd".repeat(32) }, "/nonexistent/file", () => {});
    expect(keys.hashKey.toString("hex")).toBe("ab".repeat(32));
    expect(() => loadDemoKeys({ SESSION_HASH_KEY: "zz" }, "/nonexistent/file", () => {})).toThrow(/hex/);
    expect(() => loadDemoKeys({ SESSION_HASH_KEY: "00" }, "/nonexistent/file", () => {})).toThrow(/at least 32 random bytes/);
    expect(() => loadDemoKeys({ SESSION_HASH_KEY: `${"ab".repeat(32)}x` }, "/nonexistent/file", () => {})).toThrow(/hex/);
  });

  it("says so, and asks for signedOnly explicitly, when the environment has a hash key only", async () => {
    const lines: string[] = [];
    const keys = loadDemoKeys({ SESSION_HASH_KEY: "ab".repeat(32) }, "/nonexistent/file", (line) => lines.push(line));
    expect(keys.blockKey).toBeUndefined();
    expect(lines.join("\n")).toMatch(/signed only \(signedOnly: true\)/);
    const { createDemoStore } = await import("../examples/demo/store.ts");
    await expect(createDemoStore("cookie", keys)).resolves.toBeDefined();
  });
});
