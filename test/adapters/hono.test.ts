import { Hono } from "hono";
import { describe, expect, expectTypeOf, it } from "vitest";
import { CookieStore, csrfToken, generateRandomKey, sessions, verifyCsrfToken } from "../../src/index.ts";
import { honoSessions } from "../../src/adapters/hono/middleware.ts";
import { MemoryStore } from "../../src/stores/memory-store.ts";
import { createApp } from "../../examples/hono/server.ts";
import { type UserSession, user } from "../../schemas/user.gen.ts";
import { BOUND, expectBoundLifecycle, runBoundStep } from "./bound-scenario.ts";
import { describeExample } from "./example-contract.ts";
import { serveFetch } from "./node-server.ts";
import { CSRF_FIELD, csrfForm, expectCsrfFlow } from "./csrf-scenario.ts";

describeExample("Hono", async (store) => serveFetch(createApp(store).fetch));

describe("the Hono middleware", () => {
  const store = () => new CookieStore({ signedOnly: true, hashKey: generateRandomKey(64) });

  it("types users.get(c) by the generated session", async () => {
    const app = new Hono();
    app.use(honoSessions());
    const users = user.sessions(store());
    app.get("/", async (c) => {
      const session = await users.get(c);
      expectTypeOf(session).toEqualTypeOf<UserSession>();
      return c.text(typeof session.visits);
    });
    expect(await (await app.request("/")).text()).toBe("number");
  });

  it("gets the session from Hono's c; save(), regenerate() and destroy() with no argument set its cookie", async () => {
    const memory = new MemoryStore({ hashKey: generateRandomKey(64) });
    const bound = sessions(BOUND, memory);
    const app = new Hono();
    app.use(honoSessions());
    app.get("/:step", async (c) => c.text(await runBoundStep(c.req.param("step"), () => bound.get(c))));
    const server = await serveFetch(app.fetch);
    try {
      await expectBoundLifecycle(server.url, memory.backend);
    } finally {
      await server.close();
      await memory.close();
    }
  });

  it("rejects get with missing_middleware for a c the middleware did not see", async () => {
    const counter = sessions("counter", store());
    const app = new Hono(); // no honoSessions
    app.get("/", async (c) => {
      const err = await counter.get(c).then(() => undefined, (e: unknown) => e);
      return c.text((err as { code?: string } | undefined)?.code ?? "resolved");
    });
    expect(await (await app.request("/")).text()).toBe("missing_middleware");
    const honoLike = { req: { raw: new Request("http://localhost/") } }; // c's shape, never registered
    await expect(counter.get(honoLike)).rejects.toMatchObject({ code: "missing_middleware" });
  });

  it("keeps Set-Cookie lines the handler wrote and adds the session's", async () => {
    const counter = sessions("counter", store());
    const app = new Hono();
    app.use(honoSessions({ saveAll: true }));
    app.get("/", async (c) => {
      (await counter.get(c)).increment("n");
      c.header("Set-Cookie", "theme=dark; Path=/", { append: true });
      return c.text("ok");
    });
    const lines = (await app.request("/")).headers.getSetCookie();
    expect(lines.map((line) => line.split("=")[0])).toEqual(["theme", "counter"]);
  });

  it("with saveAll, saves nothing for a handler that changes its session and then throws, or answers 5xx", async () => {
    const memory = new MemoryStore({ hashKey: generateRandomKey(64) });
    const counter = sessions("counter", memory);
    const app = new Hono();
    app.use(honoSessions({ saveAll: true }));
    app.get("/throws", async (c) => {
      (await counter.get(c)).increment("n");
      throw new Error("handler failed");
    });
    app.get("/503", async (c) => {
      (await counter.get(c)).increment("n");
      return c.text("try again", 503);
    });
    const thrown = await app.request("/throws");
    expect([thrown.status, thrown.headers.getSetCookie()]).toEqual([500, []]);
    const answered = await app.request("/503");
    expect([answered.status, await answered.text(), answered.headers.getSetCookie()]).toEqual([503, "try again", []]);
    expect(memory.backend.size).toBe(0);
    await memory.close();
  });

  it("adds the cookie to a returned response with immutable headers", async () => {
    const counter = sessions("counter", store());
    const app = new Hono();
    app.use(honoSessions({ saveAll: true }));
    app.get("/", async (c) => {
      (await counter.get(c)).increment("n");
      return Response.redirect("http://localhost/next", 302);
    });
    const response = await app.request("/");
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("http://localhost/next");
    expect(response.headers.getSetCookie()).toHaveLength(1);
  });

  it("renders a session-bound CSRF token and refuses a POST without it with 403", async () => {
    const guarded = sessions("csrf", store());
    const app = new Hono();
    app.use(honoSessions({ saveAll: true }));
    app.get("/form", async (c) => c.html(csrfForm(csrfToken(await guarded.get(c)))));
    app.post("/submit", async (c) => {
      const body = await c.req.parseBody();
      const ok = verifyCsrfToken(await guarded.get(c), body[CSRF_FIELD]);
      return ok ? c.text("accepted") : c.text("Forbidden", 403);
    });
    const server = await serveFetch(app.fetch);
    try {
      await expectCsrfFlow(server.url);
    } finally {
      await server.close();
    }
  });
});
