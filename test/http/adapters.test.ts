import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { parseSetCookie } from "cookie";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { RequestSource } from "../../src/http/context-source.ts";
import { fetchContext } from "../../src/http/fetch.ts";
import { nodeContext } from "../../src/http/node.ts";
import { defaultCookieOptions } from "../../src/http/cookie-options.ts";
import { saveAll, sessions } from "../../src/session/manager.ts";
import { CookieStore } from "../../src/stores/cookie-store.ts";
import { MemoryStore } from "../../src/stores/memory-store.ts";
import type { Store } from "../../src/stores/store.ts";
import { BOUND, expectBoundLifecycle, runBoundStep } from "../adapters/bound-scenario.ts";

/** The cookie names `formatSetCookie` was called for, in order: the module is wrapped to count its calls. */
const formatted = vi.hoisted(() => [] as string[]);
vi.mock("../../src/http/cookie-header.ts", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../../src/http/cookie-header.ts")>();
  return {
    ...actual,
    formatSetCookie: (...args: Parameters<typeof actual.formatSetCookie>) => {
      formatted.push(args[0]);
      return actual.formatSetCookie(...args);
    },
  };
});

const hashKey = "a".repeat(32);

describe("fetchContext", () => {
  it("reads request cookies and appends one Set-Cookie per cookie name", () => {
    const headers = new Headers({ "Set-Cookie": "other=1; Path=/" });
    const ctx = fetchContext(new Request("http://127.0.0.1/", { headers: { cookie: "a=1; b=x%20y" } }), headers);
    expect(ctx.getCookie("a")).toBe("1");
    expect(ctx.getCookie("b")).toBe("x y");
    expect(ctx.getCookie("c")).toBeUndefined();
    ctx.prepareCookie("a", "2", defaultCookieOptions()).commit();
    ctx.prepareCookie("b", "3", defaultCookieOptions()).commit();
    ctx.prepareCookie("a", "4", defaultCookieOptions()).commit();
    expect(headers.getSetCookie().map((line) => line.split(";")[0])).toEqual(["other=1", "b=3", "a=4"]);
  });

  it("percent-encodes values that are not cookie-safe", () => {
    const ctx = fetchContext(new Request("http://127.0.0.1/"));
    ctx.prepareCookie("a", "x y;z", defaultCookieOptions()).commit();
    expect(ctx.headers.getSetCookie()[0]).toMatch(/^a=x%20y%3Bz;/);
  });
});

describe("nodeContext", () => {
  it("sends two Set-Cookie headers for two sessions over real HTTP, keeping other cookies", async () => {
    const first = sessions("first", new CookieStore({ signedOnly: true, hashKey }));
    const second = sessions("second", new MemoryStore({ hashKey }));
    const server = createServer(async (req, res) => {
      const ctx = nodeContext(req, res);
      res.setHeader("Set-Cookie", "theirs=1");
      const a = await first.get(ctx);
      const b = await second.get(ctx);
      a.set("n", (a.getInt("n") ?? 0) + 1);
      b.set("seen", req.headers.cookie ?? "");
      await a.save();
      await b.save();
      res.end(String(a.getInt("n")));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      const response = await fetch(url);
      const lines = response.headers.getSetCookie();
      expect(lines.map((line) => line.split("=")[0])).toEqual(["theirs", "first", "second"]);
      const cookie = lines.slice(1).map((line) => line.split(";")[0]).join("; ");
      const again = await fetch(url, { headers: { cookie } });
      expect(await again.text()).toBe("2");
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("returns one context per response, so a cookie set twice through two calls is sent once", () => {
    const headers: Record<string, unknown> = {};
    const res = { headersSent: false, getHeader: (n: string) => headers[n.toLowerCase()], setHeader: (n: string, v: unknown) => { headers[n.toLowerCase()] = v; return res; } };
    const req = { headers: {} };
    expect(nodeContext(req, res as never)).toBe(nodeContext(req, res as never));
    nodeContext(req, res as never).prepareCookie("a", "1", defaultCookieOptions()).commit();
    nodeContext(req, res as never).prepareCookie("a", "2", defaultCookieOptions()).commit();
    expect([headers["set-cookie"] as string | string[]].flat().map((line) => line.split(";")[0])).toEqual(["a=2"]);
  });

  it("puts one Set-Cookie line on a node response as a string, several as an array, keeping lines other code set", () => {
    const headers: Record<string, unknown> = {};
    const res = { headersSent: false, getHeader: (n: string) => headers[n.toLowerCase()], setHeader: (n: string, v: unknown) => { headers[n.toLowerCase()] = v; return res; } };
    const ctx = nodeContext({ headers: {} }, res as never);
    ctx.prepareCookie("a", "1", defaultCookieOptions()).commit();
    expect(typeof headers["set-cookie"]).toBe("string");
    expect(String(headers["set-cookie"]).split(";")[0]).toBe("a=1");
    ctx.prepareCookie("b", "2", defaultCookieOptions()).commit();
    expect((headers["set-cookie"] as string[]).map((line) => line.split(";")[0])).toEqual(["a=1", "b=2"]);
    const other = { headersSent: false, getHeader: (n: string) => headers[`o:${n.toLowerCase()}`], setHeader: (n: string, v: unknown) => { headers[`o:${n.toLowerCase()}`] = v; return other; } };
    headers["o:set-cookie"] = "theirs=1; Path=/";
    nodeContext({ headers: {} }, other as never).prepareCookie("a", "3", defaultCookieOptions()).commit();
    expect((headers["o:set-cookie"] as string[]).map((line) => line.split(";")[0])).toEqual(["theirs=1", "a=3"]);
  });

  it("refuses to set a cookie after the headers were sent", async () => {
    const res = { headersSent: true, getHeader: () => undefined, setHeader: () => res };
    const ctx = nodeContext({ headers: {} }, res as never);
    expect(() => ctx.prepareCookie("a", "1", defaultCookieOptions()).commit()).toThrow(expect.objectContaining({ code: "headers_sent" }));
  });
});

describe("a node (req, res) pair", () => {
  it("gets the session with users.get(req, res); save(), regenerate() and destroy() with no argument set its cookie", async () => {
    const memory = new MemoryStore({ hashKey });
    const bound = sessions(BOUND, memory);
    const server = createServer((req, res) => {
      runBoundStep(new URL(req.url ?? "/", "http://x").pathname.slice(1), () => bound.get(req, res)).then(
        (body) => res.end(body),
        (err: unknown) => {
          res.statusCode = 500;
          res.end(String(err));
        },
      );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      await expectBoundLifecycle(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, memory.backend);
    } finally {
      await new Promise((resolve) => server.close(resolve));
      await memory.close();
    }
  });
});

describe("Set-Cookie formatting", () => {
  beforeEach(() => {
    formatted.length = 0;
  });
  const count = (name: string) => formatted.filter((n) => n === name).length;

  it.each([
    ["cookie", () => new CookieStore({ signedOnly: true, hashKey })],
    ["memory", () => new MemoryStore({ hashKey })],
  ] as [string, () => Store][])("formats the header once per save and once per destroy (%s store)", async (_label, makeStore) => {
    const counted = sessions("counted", makeStore());
    const ctx = fetchContext(new Request("http://127.0.0.1/"));
    const session = await counted.get(ctx);
    session.set("a", 1);
    formatted.length = 0; // the store checked its attributes at construction
    await session.save();
    expect(count("counted")).toBe(1);
    expect(ctx.headers.getSetCookie()).toHaveLength(1);
    await session.destroy();
    expect(count("counted")).toBe(2);
    expect(formatted).toEqual(["counted", "counted"]);
  });

  it("formats each chunk's header once per save, replaces the earlier line of each chunk, and formats each expiry once", async () => {
    const chunked = sessions("chunked", new CookieStore({ signedOnly: true, hashKey, chunking: { maxBytes: 16_000 } }));
    const ctx = fetchContext(new Request("http://127.0.0.1/"));
    const session = await chunked.get(ctx);
    session.set("blob", "x".repeat(5000));
    formatted.length = 0;
    await session.save();
    expect(formatted.filter((name) => name.startsWith("chunked"))).toEqual(["chunked", "chunked.1", "chunked.2"]);
    session.set("blob", "y".repeat(5001));
    await session.save();
    const names = () => ctx.headers.getSetCookie().map((line) => parseSetCookie(line).name);
    expect(names()).toEqual(["chunked", "chunked.1", "chunked.2"]);
    session.set("blob", "z");
    formatted.length = 0;
    await session.save();
    expect(formatted.filter((name) => name.startsWith("chunked"))).toEqual(["chunked", "chunked.1", "chunked.2"]);
    expect(names()).toEqual(["chunked", "chunked.1", "chunked.2"]); // the same three lines, the last two now expiries
    expect(ctx.headers.getSetCookie().filter((line) => /Max-Age=0/.test(line))).toHaveLength(2);
  });

  it("formats each cookie once when saveAll saves a cookie-store and a server-store session", async () => {
    const inCookie = sessions("in_cookie", new CookieStore({ signedOnly: true, hashKey }));
    const inMemory = sessions("in_memory", new MemoryStore({ hashKey }));
    const ctx = fetchContext(new Request("http://127.0.0.1/"));
    (await inCookie.get(ctx)).set("a", 1);
    (await inMemory.get(ctx)).set("b", 2);
    formatted.length = 0;
    await saveAll(ctx);
    expect([...formatted].sort()).toEqual(["in_cookie", "in_memory"]);
    expect(ctx.headers.getSetCookie()).toHaveLength(2);
  });

  it.each([
    ["cookie", () => new CookieStore({ signedOnly: true, hashKey })],
    ["memory", () => new MemoryStore({ hashKey })],
  ] as [string, () => Store][])("replaces the earlier line when one session is saved twice in a response (%s store)", async (_label, makeStore) => {
    const twice = sessions("twice", makeStore());
    const ctx = fetchContext(new Request("http://127.0.0.1/"));
    const session = await twice.get(ctx);
    session.set("a", 1);
    formatted.length = 0;
    await session.save();
    const first = ctx.headers.getSetCookie();
    session.set("a", 2);
    session.cookie.maxAge = 60; // a header that surely differs from the first
    await session.save();
    expect(count("twice")).toBe(2);
    const lines = ctx.headers.getSetCookie().filter((line) => parseSetCookie(line).name === "twice");
    expect(lines).toHaveLength(1);
    expect(lines).not.toEqual(first);
    expect(parseSetCookie(lines[0] ?? "").maxAge).toBe(60);
  });
});

describe("get on an object no adapter registered", () => {
  const counter = sessions("counter", new CookieStore({ signedOnly: true, hashKey }));

  it.each([
    ["a bare object", {}],
    ["a Hono-like { req: { raw } } without the middleware", { req: { raw: new Request("http://127.0.0.1/") } }],
    ["a Fastify-like { raw } without the plugin", { raw: { headers: {} } }],
  ])("rejects %s with missing_middleware", async (_label, source) => {
    await expect(counter.get(source as RequestSource)).rejects.toMatchObject({ code: "missing_middleware" });
    await expect(saveAll(source as RequestSource)).rejects.toMatchObject({ code: "missing_middleware" });
  });
});
