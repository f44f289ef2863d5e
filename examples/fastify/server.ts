// Fastify + typed-sessions: `npx tsx examples/fastify/server.ts` (PORT, SESSION_STORE=cookie|fs|redis, SESSION_HASH_KEY hex).
import Fastify, { type FastifyInstance } from "fastify";
import type { Store } from "typed-sessions";
import { loadDemoKeys } from "../demo/keys.ts";
import { createDemoStore } from "../demo/store.ts";
import { fastifySessions } from "typed-sessions/fastify";
import { user } from "../../schemas/user.gen.ts";

/** Creates the example app: visits counter and login/logout with a flash; sessions saved in onSend. */
export async function createApp(store: Store): Promise<FastifyInstance> {
  const users = user.sessions(store);
  const app = Fastify();
  // HTML forms post application/x-www-form-urlencoded: parse it without a plugin.
  app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });
  await app.register(fastifySessions({ saveAll: true }));

  app.get("/visits", async (request) => {
    const session = await users.get(request); // typed: UserSession
    session.visits += 1;
    session.lastSeen = new Date();
    return `visits: ${session.visits}`;
  });

  app.post<{ Body: { name?: string } }>("/login", async (request, reply) => {
    const session = await users.get(request);
    session.name = request.body.name ?? "";
    session.addFlash({ kind: "info", text: `Welcome, ${session.name}!` });
    await session.regenerate(); // new id at login: the session-fixation defence
    return reply.redirect("/whoami", 303);
  });

  app.get("/whoami", async (request) => {
    const session = await users.get(request);
    const flashes = session.flashes().map((f) => ` [${f.kind}] ${f.text}`).join("");
    return `name: ${session.name || "(nobody)"}${flashes}`;
  });

  app.post("/logout", async (request, reply) => {
    const session = await users.get(request);
    await session.destroy();
    return reply.redirect("/whoami", 303);
  });
  return app;
}


if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1])) {
  // The demo's key loading (hex env vars, else development keys) and store choice (SESSION_STORE=cookie|fs|redis).
  const store = await createDemoStore(process.env["SESSION_STORE"], loadDemoKeys(process.env));
  const port = Number(process.env["PORT"] ?? 8080);
  const app = await createApp(store);
  await app.listen({ port, host: "127.0.0.1" });
  console.log(`Fastify example on http://127.0.0.1:${port}/visits`);
}
