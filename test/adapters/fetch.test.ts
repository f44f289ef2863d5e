import { describe, expect, it } from "vitest";
import { CookieStore, csrfToken, generateRandomKey, sessions, verifyCsrfToken } from "../../src/index.ts";
import { fetchSessions } from "../../src/adapters/fetch/with-sessions.ts";
import { applySetCookies } from "../../src/adapters/set-cookies.ts";
import { MemoryStore } from "../../src/stores/memory-store.ts";
import { createHandler } from "../../examples/fetch/server.ts";
import { BOUND, expectBoundLifecycle, runBoundStep } from "./bound-scenario.ts";
import { describeExample } from "./example-contract.ts";
import { serveFetch } from "./node-server.ts";
import { CSRF_FIELD, csrfForm, expectCsrfFlow } from "./csrf-scenario.ts";

describeExample("Fetch", async (store) => serveFetch(createHandler(store)));
describeExample("Fetch", async (store) => serveFetch(createHandler(store)), { crypto: "webcrypto" });

describe("fetchSessions", () => {
  const counter = () => sessions("counter", new CookieStore({ signedOnly: true, hashKey: generateRandomKey(64) }));

  it("writes Set-Cookie into the handler's Response when the handler saves", async () => {
    const c = counter();
    const handler = fetchSessions(async (request) => {
      const session = await c.get(request);
      session.increment("n");
      await session.save();
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
    const touch = async (request: Request) => {
      (await c.get(request)).increment("n");
      return new Response("ok");
    };
    expect((await fetchSessions(touch)(new Request("http://localhost/"))).headers.getSetCookie()).toEqual([]);
    expect((await fetchSessions(touch, { saveAll: true })(new Request("http://localhost/"))).headers.getSetCookie()).toHaveLength(1);
  });

  it("with saveAll, saves nothing for a handler that changes its session and then throws, or answers 5xx", async () => {
    const memory = new MemoryStore({ hashKey: generateRandomKey(64) });
    const c = sessions("counter", memory);
    const thrown = fetchSessions(
      async (request) => {
        (await c.get(request)).increment("n");
        throw new Error("handler failed");
      },
      { saveAll: true },
    );
    await expect(thrown(new Request("http://localhost/"))).rejects.toThrow("handler failed");
    const answered = fetchSessions(
      async (request) => {
        (await c.get(request)).increment("n");
        return new Response("try again", { status: 503 });
      },
      { saveAll: true },
    );
    const response = await answered(new Request("http://localhost/"));
    expect([response.status, response.headers.getSetCookie()]).toEqual([503, []]);
    expect(memory.backend.size).toBe(0);
    await memory.close();
  });

  it("reads the session back from the request's Cookie header", async () => {
    const c = counter();
    const handler = fetchSessions(
      async (request) => new Response(String((await c.get(request)).increment("n"))),
      { saveAll: true },
    );
    const first = await handler(new Request("http://localhost/"));
    const cookie = first.headers.getSetCookie()[0]?.split(";")[0] ?? "";
    const second = await handler(new Request("http://localhost/", { headers: { cookie } }));
    expect(await second.text()).toBe("2");
  });

  it("gets the session from the Fetch Request; save(), regenerate() and destroy() with no argument set its cookie", async () => {
    const memory = new MemoryStore({ hashKey: generateRandomKey(64) });
    const bound = sessions(BOUND, memory);
    const handler = fetchSessions(
      async (request) => new Response(await runBoundStep(new URL(request.url).pathname.slice(1), () => bound.get(request))),
    );
    const server = await serveFetch(handler);
    try {
      await expectBoundLifecycle(server.url, memory.backend);
    } finally {
      await server.close();
      await memory.close();
    }
  });

  it("passes extra arguments through (Next.js route context, Bun's server)", async () => {
    const handler = fetchSessions(async (_request, context: { params: { id: string } }) => new Response(context.params.id));
    expect(await (await handler(new Request("http://localhost/"), { params: { id: "42" } })).text()).toBe("42");
  });

  it("renders a session-bound CSRF token and refuses a POST without it with 403", async () => {
    const guarded = sessions("csrf", new CookieStore({ signedOnly: true, hashKey: generateRandomKey(64) }));
    const handler = fetchSessions(
      async (request) => {
        const session = await guarded.get(request);
        const path = new URL(request.url).pathname;
        if (request.method === "GET" && path === "/form") {
          return new Response(csrfForm(csrfToken(session)), { headers: { "content-type": "text/html" } });
        }
        const ok = verifyCsrfToken(session, (await request.formData()).get(CSRF_FIELD));
        return new Response(ok ? "accepted" : "Forbidden", { status: ok ? 200 : 403 });
      },
      { saveAll: true },
    );
    const server = await serveFetch(handler);
    try {
      await expectCsrfFlow(server.url);
    } finally {
      await server.close();
    }
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
