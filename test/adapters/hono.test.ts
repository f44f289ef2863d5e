import { Hono } from "hono";
import { describe, expect, expectTypeOf, it } from "vitest";
import { CookieStore, generateRandomKey, sessions } from "../../src/index.ts";
import { type SessionVariables, sessionMiddleware } from "../../src/adapters/hono/middleware.ts";
import { createApp } from "../../examples/hono/server.ts";
import { type UserSession, user } from "../../schemas/user.gen.ts";
import { describeExample } from "./example-contract.ts";
import { serveFetch } from "./node-server.ts";

describeExample("Hono", async (store) => serveFetch(createApp(store).fetch));

describe("the Hono middleware", () => {
  const store = () => new CookieStore({ hashKey: generateRandomKey(64) });

  it("types c.get('sessions').get by the generated session", async () => {
    const app = new Hono<{ Variables: SessionVariables }>();
    app.use(sessionMiddleware());
    const users = user.sessions(store());
    app.get("/", async (c) => {
      const session = await c.get("sessions").get(users);
      expectTypeOf(session).toEqualTypeOf<UserSession>();
      return c.text(typeof session.visits);
    });
    expect(await (await app.request("/")).text()).toBe("number");
  });

  it("keeps Set-Cookie lines the handler wrote and adds the session's", async () => {
    const counter = sessions("counter", store());
    const app = new Hono<{ Variables: SessionVariables }>();
    app.use(sessionMiddleware({ saveAll: true }));
    app.get("/", async (c) => {
      (await c.get("sessions").get(counter)).increment("n");
      c.header("Set-Cookie", "theme=dark; Path=/", { append: true });
      return c.text("ok");
    });
    const lines = (await app.request("/")).headers.getSetCookie();
    expect(lines.map((line) => line.split("=")[0])).toEqual(["theme", "counter"]);
  });

  it("adds the cookie to a returned response with immutable headers", async () => {
    const counter = sessions("counter", store());
    const app = new Hono<{ Variables: SessionVariables }>();
    app.use(sessionMiddleware({ saveAll: true }));
    app.get("/", async (c) => {
      (await c.get("sessions").get(counter)).increment("n");
      return Response.redirect("http://localhost/next", 302);
    });
    const response = await app.request("/");
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("http://localhost/next");
    expect(response.headers.getSetCookie()).toHaveLength(1);
  });
});
