// Issue 12, "defaults a careful user expects": Secure by default (with an opt-out and per-request "auto"),
// cookie prefixes and attributes checked up front, and a CookieStore that encrypts unless told otherwise.
import { describe, expect, it } from "vitest";
import { fetchContext } from "../../src/http/fetch.ts";
import { nodeContext } from "../../src/http/node.ts";
import type { CookieOptions } from "../../src/http/cookie-options.ts";
import { sessions } from "../../src/session/manager.ts";
import { CookieStore } from "../../src/stores/cookie-store.ts";
import { MemoryStore } from "../../src/stores/memory-store.ts";
import { errorOf } from "../support/error-of.ts";

const hashKey = "h".repeat(32);
const blockKey = "b".repeat(32);


/** Saves one value through a Fetch request to `url` and returns the Set-Cookie line. */
async function setCookieOver(url: string, cookie?: Partial<CookieOptions>, extra: { trustProxy?: boolean; headers?: Record<string, string> } = {}): Promise<string> {
  const store = new CookieStore({ hashKey, blockKey, cookie, trustProxy: extra.trustProxy });
  const ctx = fetchContext(new Request(url, { headers: extra.headers ?? {} }));
  const session = await sessions("s", store).get(ctx);
  session.set("n", 1);
  await session.save();
  return ctx.headers.getSetCookie()[0] ?? "";
}

/** Saves one value through a node:http-like request and returns the Set-Cookie line. */
async function nodeSetCookie(encrypted: boolean, headers: Record<string, string>, trustProxy: boolean): Promise<string> {
  const set = new Map<string, unknown>();
  const res = { headersSent: false, getHeader: (n: string) => set.get(n.toLowerCase()) as string | string[] | undefined, setHeader: (n: string, v: unknown) => set.set(n.toLowerCase(), v) };
  const req = { headers, socket: { encrypted } };
  const store = new MemoryStore({ hashKey, cookie: { secure: "auto" }, trustProxy });
  const session = await sessions("s", store).get(nodeContext(req, res));
  session.set("n", 1);
  await session.save();
  return String([set.get("set-cookie") as string | string[]].flat()[0]);
}

describe("Secure by default", () => {
  it("sends Secure by default, even over http://127.0.0.1 (a secure context for browsers)", async () => {
    expect(await setCookieOver("http://127.0.0.1/")).toMatch(/; Secure/);
  });

  it("leaves Secure out with the explicit opt-out secure: false", async () => {
    expect(await setCookieOver("http://127.0.0.1/", { secure: false })).not.toMatch(/Secure/);
  });

  it('decides secure: "auto" per request from the Fetch URL', async () => {
    expect(await setCookieOver("https://example.com/", { secure: "auto" })).toMatch(/; Secure/);
    expect(await setCookieOver("http://example.com/", { secure: "auto" })).not.toMatch(/Secure/);
  });

  it('decides secure: "auto" from the TLS socket on node:http', async () => {
    expect(await nodeSetCookie(true, {}, false)).toMatch(/; Secure/);
    expect(await nodeSetCookie(false, {}, false)).not.toMatch(/Secure/);
  });

  it("reads the first X-Forwarded-Proto only with trustProxy", async () => {
    expect(await nodeSetCookie(false, { "x-forwarded-proto": "https, http" }, true)).toMatch(/; Secure/);
    expect(await nodeSetCookie(false, { "x-forwarded-proto": "https" }, false)).not.toMatch(/Secure/);
    expect(await nodeSetCookie(true, { "x-forwarded-proto": "http" }, true)).not.toMatch(/Secure/);
    const https = { trustProxy: true, headers: { "x-forwarded-proto": "HTTPS" } };
    expect(await setCookieOver("http://internal/", { secure: "auto" }, https)).toMatch(/; Secure/);
  });

  it("keeps Secure for secure: \"auto\" on a context that cannot tell", async () => {
    const store = new CookieStore({ hashKey, blockKey, cookie: { secure: "auto" } });
    const lines: string[] = [];
    const inner = fetchContext(new Request("http://example.com/"));
    const ctx = { request: {}, getCookie: () => undefined, prepareCookie: inner.prepareCookie.bind(inner) };
    const session = await sessions("s", store).get(ctx);
    session.set("n", 1);
    await session.save();
    lines.push(...inner.headers.getSetCookie());
    expect(lines[0]).toMatch(/; Secure/);
  });

  it("refuses a secure value that is neither true, false nor \"auto\"", () => {
    expect(errorOf(() => new CookieStore({ hashKey, blockKey, cookie: { secure: "yes" as never } })).code).toBe("invalid_option");
  });
});

describe("cookie prefixes and attributes", () => {
  const store = (cookie: Partial<CookieOptions>) => new MemoryStore({ hashKey, cookie });

  it("refuses SameSite=None and Partitioned without Secure when the store is made", () => {
    const none = errorOf(() => store({ sameSite: "none", secure: false }));
    expect(none.code).toBe("invalid_option");
    expect(none.message).toContain("set secure: true");
    expect(errorOf(() => store({ partitioned: true, secure: "auto" })).code).toBe("invalid_option");
    expect(() => store({ sameSite: "none", partitioned: true })).not.toThrow();
  });

  it("refuses a __Host- name without Secure, with a Domain or with a Path other than /", () => {
    for (const cookie of [{ secure: false }, { domain: "example.com" }, { path: "/app" }, { secure: "auto" as const }]) {
      const err = errorOf(() => sessions("__Host-s", store(cookie)));
      expect(err.code).toBe("invalid_option");
      expect(err.message).toContain('set secure: true, leave domain unset and use path: "/"');
    }
    expect(errorOf(() => sessions("__Host-s", store({}), { cookie: { path: "/x" } })).code).toBe("invalid_option");
    expect(() => sessions("__Host-s", store({}))).not.toThrow();
  });

  it("refuses a __Secure- name without Secure", () => {
    expect(errorOf(() => sessions("__Secure-s", store({ secure: false }))).code).toBe("invalid_option");
    expect(() => sessions("__Secure-s", store({ domain: "example.com" }))).not.toThrow();
  });

  it("refuses a per-session change that breaks the prefix at save, writing nothing", async () => {
    const ctx = fetchContext(new Request("https://example.com/"));
    const session = await sessions("__Host-s", store({})).get(ctx);
    session.set("n", 1);
    session.cookie.domain = "example.com";
    await expect(session.save()).rejects.toMatchObject({ code: "invalid_option" });
    expect(ctx.headers.getSetCookie()).toEqual([]);
  });

  it("writes the Priority attribute", async () => {
    expect(await setCookieOver("https://example.com/", { priority: "high" })).toMatch(/; Priority=High/);
  });
});

describe("a CookieStore encrypts unless told otherwise", () => {
  it("refuses a store without a block key unless signedOnly: true", () => {
    const err = errorOf(() => new CookieStore({ hashKey }));
    expect(err.code).toBe("invalid_option");
    expect(err.message).toContain("give a blockKey");
    expect(err.message).toContain("signedOnly: true");
    expect(errorOf(() => new CookieStore({ keys: [{ hashKey }, { hashKey: "o".repeat(32), blockKey }] })).code).toBe("invalid_option");
    expect(() => new CookieStore({ hashKey, signedOnly: true })).not.toThrow();
    expect(() => new CookieStore({ hashKey, blockKey })).not.toThrow();
    expect(() => new CookieStore({ keys: [{ hashKey, blockKey }, { hashKey: "o".repeat(32) }] })).not.toThrow();
  });
});
