// Hono + typed-sessions: `npx tsx examples/hono/server.ts` (PORT, SESSION_STORE=fs, SESSION_HASH_KEY hex).
// The same app runs on Bun (`export default app`), Deno (`Deno.serve(app.fetch)`) or workers.
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { CookieStore, FilesystemStore, type Store, generateRandomKey } from "typed-sessions";
import { type SessionVariables, sessionMiddleware } from "typed-sessions/hono";
import { user } from "../../schemas/user.gen.ts";

/** Creates the example app: visits counter and login/logout with a flash; sessions saved after each handler. */
export function createApp(store: Store): Hono<{ Variables: SessionVariables }> {
  const users = user.sessions(store);
  const app = new Hono<{ Variables: SessionVariables }>();
  app.use(sessionMiddleware({ saveAll: true }));

  app.get("/visits", async (c) => {
    const session = await c.get("sessions").get(users); // typed: UserSession
    session.visits += 1;
    session.lastSeen = new Date();
    return c.text(`visits: ${session.visits}`);
  });

  app.post("/login", async (c) => {
    const sessions = c.get("sessions");
    const session = await sessions.get(users);
    const form = await c.req.parseBody();
    session.name = String(form["name"] ?? "");
    session.addFlash({ kind: "info", text: `Welcome, ${session.name}!` });
    await session.regenerate(sessions.context); // new id at login: the session-fixation defence
    return c.redirect("/whoami", 303);
  });

  app.get("/whoami", async (c) => {
    const session = await c.get("sessions").get(users);
    const flashes = session.flashes().map((f) => ` [${f.kind}] ${f.text}`).join("");
    return c.text(`name: ${session.name || "(nobody)"}${flashes}`);
  });

  app.post("/logout", async (c) => {
    const sessions = c.get("sessions");
    await (await sessions.get(users)).destroy(sessions.context);
    return c.redirect("/whoami", 303);
  });
  return app;
}

function hexKey(name: string, bytes: number): Buffer {
  const hex = process.env[name];
  return hex === undefined ? generateRandomKey(bytes) : Buffer.from(hex, "hex");
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1])) {
  const keys = { hashKey: hexKey("SESSION_HASH_KEY", 64), blockKey: hexKey("SESSION_BLOCK_KEY", 32) };
  const store = process.env["SESSION_STORE"] === "fs" ? new FilesystemStore({ ...keys, dir: ".sessions" }) : new CookieStore(keys);
  const port = Number(process.env["PORT"] ?? 8080);
  serve({ fetch: createApp(store).fetch, port, hostname: "127.0.0.1" });
  console.log(`Hono example on http://127.0.0.1:${port}/visits`);
}
