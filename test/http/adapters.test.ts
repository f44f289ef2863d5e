import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { fetchContext } from "../../src/http/fetch.ts";
import { nodeContext } from "../../src/http/node.ts";
import { defaultCookieOptions } from "../../src/http/cookie-options.ts";
import { sessions } from "../../src/session/manager.ts";
import { CookieStore } from "../../src/stores/cookie-store.ts";
import { MemoryStore } from "../../src/stores/memory-store.ts";

const hashKey = "a".repeat(32);

describe("fetchContext", () => {
  it("reads request cookies and appends one Set-Cookie per cookie name", () => {
    const headers = new Headers({ "Set-Cookie": "other=1; Path=/" });
    const ctx = fetchContext(new Request("http://127.0.0.1/", { headers: { cookie: "a=1; b=x%20y" } }), headers);
    expect(ctx.getCookie("a")).toBe("1");
    expect(ctx.getCookie("b")).toBe("x y");
    expect(ctx.getCookie("c")).toBeUndefined();
    ctx.setCookie("a", "2", defaultCookieOptions());
    ctx.setCookie("b", "3", defaultCookieOptions());
    ctx.setCookie("a", "4", defaultCookieOptions());
    expect(headers.getSetCookie().map((line) => line.split(";")[0])).toEqual(["other=1", "b=3", "a=4"]);
  });

  it("percent-encodes values that are not cookie-safe", () => {
    const ctx = fetchContext(new Request("http://127.0.0.1/"));
    ctx.setCookie("a", "x y;z", defaultCookieOptions());
    expect(ctx.headers.getSetCookie()[0]).toMatch(/^a=x%20y%3Bz;/);
  });
});

describe("nodeContext", () => {
  it("sends two Set-Cookie headers for two sessions over real HTTP, keeping other cookies", async () => {
    const first = sessions("first", new CookieStore({ hashKey }));
    const second = sessions("second", new MemoryStore({ hashKey }));
    const server = createServer(async (req, res) => {
      const ctx = nodeContext(req, res);
      res.setHeader("Set-Cookie", "theirs=1");
      const a = await first.get(ctx);
      const b = await second.get(ctx);
      a.set("n", (a.getInt("n") ?? 0) + 1);
      b.set("seen", req.headers.cookie ?? "");
      await a.save(ctx);
      await b.save(ctx);
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
    nodeContext(req, res as never).setCookie("a", "1", defaultCookieOptions());
    nodeContext(req, res as never).setCookie("a", "2", defaultCookieOptions());
    expect((headers["set-cookie"] as string[]).map((line) => line.split(";")[0])).toEqual(["a=2"]);
  });

  it("refuses to set a cookie after the headers were sent", async () => {
    const res = { headersSent: true, getHeader: () => undefined, setHeader: () => res };
    const ctx = nodeContext({ headers: {} }, res as never);
    expect(() => ctx.setCookie("a", "1", defaultCookieOptions())).toThrow(expect.objectContaining({ code: "headers_sent" }));
  });
});
