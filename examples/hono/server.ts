// Hono + typed-sessions: `npx tsx examples/hono/server.ts` (PORT, SESSION_STORE=cookie|fs|redis, SESSION_HASH_KEY hex).
// The same app runs on Bun (`export default app`), Deno (`Deno.serve(app.fetch)`) or workers.
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import type { Store } from "typed-sessions";
import { loadDemoKeys } from "../demo/keys.ts";
import { createDemoStore } from "../demo/store.ts";
import { honoSessions } from "typed-sessions/hono";
import { user } from "../../schemas/user.gen.ts";

/** Creates the example app: visits counter and login/logout with a flash; sessions saved after each handler. */
export function createApp(store: Store): Hono {
  const users = user.sessions(store);
  const app = new Hono();
  app.use(honoSessions({ saveAll: true }));

  app.get("/visits", async (c) => {
    const session = await users.get(c); // typed: UserSession
    session.visits += 1;
    session.lastSeen = new Date();
    return c.text(`visits: ${session.visits}`);
  });

  app.post("/login", async (c) => {
    const session = await users.get(c);
    const form = await c.req.parseBody();
    session.name = String(form["name"] ?? "");
    session.addFlash({ kind: "info", text: `Welcome, ${session.name}!` });
    await session.regenerate(); // new id at login: the session-fixation defence
    return c.redirect("/whoami", 303);
  });

  app.get("/whoami", async (c) => {
    const session = await users.get(c);
    const flashes = session.flashes().map((f) => ` [${f.kind}] ${f.text}`).join("");
    return c.text(`name: ${session.name || "(nobody)"}${flashes}`);
  });

  app.post("/logout", async (c) => {
    await (await users.get(c)).destroy();
    return c.redirect("/whoami", 303);
  });
  return app;
}


if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1])) {
  // The demo's key loading (hex env vars, else development keys) and store choice (SESSION_STORE=cookie|fs|redis).
  const store = await createDemoStore(process.env["SESSION_STORE"], loadDemoKeys(process.env));
  const port = Number(process.env["PORT"] ?? 8080);
  serve({ fetch: createApp(store).fetch, port, hostname: "127.0.0.1" });
  console.log(`Hono example on http://127.0.0.1:${port}/visits`);
}
