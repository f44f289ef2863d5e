import { describe, expect, it } from "vitest";
import { CookieStore, generateRandomKey, sessions } from "../../src/index.ts";
import { applySetCookies, withSessions } from "../../src/adapters/fetch/with-sessions.ts";
import { createHandler } from "../../examples/fetch/server.ts";
import { describeExample } from "./example-contract.ts";
import { serveFetch } from "./node-server.ts";

describeExample("Fetch", async (store) => serveFetch(createHandler(store)));

describe("withSessions", () => {
  const counter = () => sessions("counter", new CookieStore({ hashKey: generateRandomKey(64) }));

  it("writes Set-Cookie into the handler's Response when the handler saves", async () => {
    const c = counter();
    const handler = withSessions(async (_request, s) => {
      const session = await s.get(c);
      session.increment("n");
      await session.save(s.context);
      return new Response("ok", { headers: { "x-kept": "yes" } });
    });
    const response = await handler(new Request("http://localhost/"));
    expect(response.headers.getSetCookie()).toHaveLength(1);
    expect(response.headers.getSetCookie()[0]).toMatch(/^counter=/);
    expect(response.headers.get("x-kept")).toBe("yes");
    expect(await response.text()).toBe("ok");
  });

  it("saves changed sessions itself with saveAll, and only then", async () => {
    const c = counter();
    const touch = async (_request: Request, s: Parameters<Parameters<typeof withSessions>[0]>[1]) => {
      (await s.get(c)).increment("n");
      return new Response("ok");
    };
    expect((await withSessions(touch)(new Request("http://localhost/"))).headers.getSetCookie()).toEqual([]);
    expect((await withSessions(touch, { saveAll: true })(new Request("http://localhost/"))).headers.getSetCookie()).toHaveLength(1);
  });

  it("reads the session back from the request's Cookie header", async () => {
    const c = counter();
    const handler = withSessions(
      async (_request, s) => new Response(String((await s.get(c)).increment("n"))),
      { saveAll: true },
    );
    const first = await handler(new Request("http://localhost/"));
    const cookie = first.headers.getSetCookie()[0]?.split(";")[0] ?? "";
    const second = await handler(new Request("http://localhost/", { headers: { cookie } }));
    expect(await second.text()).toBe("2");
  });

  it("passes extra arguments through (Next.js route context, Bun's server)", async () => {
    const handler = withSessions(async (_request, _s, context: { params: { id: string } }) => new Response(context.params.id));
    expect(await (await handler(new Request("http://localhost/"), { params: { id: "42" } })).text()).toBe("42");
  });
});

describe("applySetCookies", () => {
  const cookies = () => {
    const headers = new Headers();
    headers.append("Set-Cookie", "a=1; Path=/");
    headers.append("Set-Cookie", "b=2; Path=/");
    return headers;
  };

  it("copies a response with immutable headers (Response.redirect) and keeps status and location", () => {
    const original = Response.redirect("http://localhost/next", 303);
    expect(() => original.headers.append("x", "y")).toThrow();
    const response = applySetCookies(original, cookies());
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("http://localhost/next");
    expect(response.headers.getSetCookie()).toEqual(["a=1; Path=/", "b=2; Path=/"]);
  });

  it("returns the same response, untouched, when there is nothing to set", () => {
    const original = new Response("x");
    expect(applySetCookies(original, new Headers())).toBe(original);
    expect(original.headers.getSetCookie()).toEqual([]);
  });
});
