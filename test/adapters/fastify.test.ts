import Fastify from "fastify";
import { describe, expect, expectTypeOf, it } from "vitest";
import { CookieStore, csrfToken, generateRandomKey, sessions, verifyCsrfToken } from "../../src/index.ts";
import { fastifySessions } from "../../src/adapters/fastify/plugin.ts";
import { createApp } from "../../examples/fastify/server.ts";
import { MemoryStore } from "../../src/stores/memory-store.ts";
import type { PreparedWrite, RecordWrite } from "../../src/stores/store.ts";
import { type UserSession, user } from "../../schemas/user.gen.ts";
import { BOUND, expectBoundLifecycle, runBoundStep } from "./bound-scenario.ts";
import { CookieClient } from "./cookie-client.ts";
import { CSRF_FIELD, csrfForm, expectCsrfFlow } from "./csrf-scenario.ts";
import { type RunningExample, describeExample } from "./example-contract.ts";

async function listen(app: Awaited<ReturnType<typeof createApp>>): Promise<RunningExample> {
  const url = await app.listen({ port: 0, host: "127.0.0.1" });
  return { url, close: () => app.close() };
}

describeExample("Fastify", async (store) => listen(await createApp(store)));

describe("the Fastify plugin", () => {
  const store = () => new CookieStore({ signedOnly: true, hashKey: generateRandomKey(64) });

  it("types users.get(request) by the generated session", async () => {
    const users = user.sessions(store());
    const app = Fastify();
    await app.register(fastifySessions());
    app.get("/", async (request) => {
      const session = await users.get(request);
      expectTypeOf(session).toEqualTypeOf<UserSession>();
      expectTypeOf(session.visits).toEqualTypeOf<number>();
      // @ts-expect-error visits is a number
      session.visits = "many";
      return "typed";
    });
    const server = await listen(app);
    try {
      const response = await new CookieClient(server.url).request("/");
      expect(response.status).toBe(500); // the schema-checked setter refused "many" at run time too
    } finally {
      await server.close();
    }
  });

  it.each(["request", "reply"] as const)(
    "gets the session from Fastify's %s; save(), regenerate() and destroy() with no argument set its cookie",
    async (from) => {
      const memory = new MemoryStore({ hashKey: generateRandomKey(64) });
      const bound = sessions(BOUND, memory);
      const app = Fastify();
      await app.register(fastifySessions());
      app.get<{ Params: { step: string } }>("/:step", async (request, reply) =>
        runBoundStep(request.params.step, () => (from === "request" ? bound.get(request) : bound.get(reply))),
      );
      const server = await listen(app);
      try {
        await expectBoundLifecycle(server.url, memory.backend);
      } finally {
        await server.close();
        await memory.close();
      }
    },
  );

  it("rejects get with missing_middleware for a request the plugin did not see", async () => {
    const counter = sessions("counter", store());
    const app = Fastify(); // no fastifySessions
    app.get("/", async (request) => {
      const err = await counter.get(request).then(() => undefined, (e: unknown) => e);
      return (err as { code?: string } | undefined)?.code ?? "resolved";
    });
    const server = await listen(app);
    try {
      expect((await new CookieClient(server.url).request("/")).body).toBe("missing_middleware");
    } finally {
      await server.close();
    }
  });

  it("saves on demand without saveAll, and keeps cookies set by other code", async () => {
    const counter = sessions("counter", store());
    const app = Fastify();
    await app.register(fastifySessions());
    app.get("/", async (request, reply) => {
      reply.header("set-cookie", "theme=dark; Path=/");
      const session = await counter.get(request);
      const n = session.increment("n");
      await session.save();
      return String(n);
    });
    const server = await listen(app);
    try {
      const client = new CookieClient(server.url);
      const first = await client.request("/");
      expect(first.body).toBe("1");
      expect(first.setCookies.map((line) => line.split("=")[0])).toEqual(["theme", "counter"]);
      expect((await client.request("/")).body).toBe("2");
    } finally {
      await server.close();
    }
  });

  it("reaches routes registered in child plugins", async () => {
    const counter = sessions("c", store());
    const app = Fastify();
    await app.register(fastifySessions({ saveAll: true }));
    await app.register(async (child) => {
      child.get("/child", async (request) => String((await counter.get(request)).increment("n")));
    });
    const server = await listen(app);
    try {
      const client = new CookieClient(server.url);
      await client.request("/child");
      expect((await client.request("/child")).body).toBe("2");
    } finally {
      await server.close();
    }
  });

  it("keeps the answer of an earlier onRequest hook that replied before the plugin's hook ran", async () => {
    const app = Fastify();
    app.addHook("onRequest", async (_request, reply) => {
      await reply.code(401).send("login first");
    });
    await app.register(fastifySessions({ saveAll: true }));
    app.get("/", async () => "secret");
    const server = await listen(app);
    try {
      const response = await new CookieClient(server.url).request("/");
      expect(response.status).toBe(401);
      expect(response.body).toBe("login first");
    } finally {
      await server.close();
    }
  });

  it("with saveAll, saves nothing for a handler that changes its session and then throws, or answers 5xx", async () => {
    const memory = new MemoryStore({ hashKey: generateRandomKey(64) });
    const counter = sessions("counter", memory);
    const app = Fastify();
    await app.register(fastifySessions({ saveAll: true }));
    app.get("/throws", async (request) => {
      (await counter.get(request)).increment("n");
      throw new Error("handler failed");
    });
    app.get("/503", async (request, reply) => {
      (await counter.get(request)).increment("n");
      return reply.code(503).send("try again");
    });
    const server = await listen(app);
    try {
      const client = new CookieClient(server.url);
      const thrown = await client.request("/throws");
      expect([thrown.status, thrown.setCookies]).toEqual([500, []]);
      const answered = await client.request("/503");
      expect([answered.status, answered.body, answered.setCookies]).toEqual([503, "try again", []]);
      expect(memory.backend.size).toBe(0);
    } finally {
      await server.close();
      await memory.close();
    }
  });

  it("turns a failed saveAll into Fastify's error response", async () => {
    class FailingStore extends CookieStore {
      override async prepare(write: RecordWrite): Promise<PreparedWrite> {
        return { cookieValue: (await super.prepare(write)).cookieValue, commit: () => Promise.reject(new Error("disk full")) };
      }
    }
    const failing = sessions("s", new FailingStore({ signedOnly: true, hashKey: generateRandomKey(64) }));
    const app = Fastify();
    await app.register(fastifySessions({ saveAll: true }));
    app.get("/", async (request) => {
      (await failing.get(request)).set("a", 1);
      return "saved?";
    });
    const server = await listen(app);
    try {
      const response = await new CookieClient(server.url).request("/");
      expect(response.status).toBe(500);
      expect(response.setCookies).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it("renders a session-bound CSRF token and refuses a POST without it with 403", async () => {
    const guarded = sessions("csrf", store());
    const app = Fastify();
    await app.register(fastifySessions({ saveAll: true }));
    app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    });
    app.get("/form", async (request, reply) => reply.type("text/html").send(csrfForm(csrfToken(await guarded.get(request)))));
    app.post("/submit", async (request, reply) => {
      const ok = verifyCsrfToken(await guarded.get(request), (request.body as Record<string, unknown>)[CSRF_FIELD]);
      return reply.code(ok ? 200 : 403).send(ok ? "accepted" : "Forbidden");
    });
    const server = await listen(app);
    try {
      await expectCsrfFlow(server.url);
    } finally {
      await server.close();
    }
  });
});
