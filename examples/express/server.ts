// Express + typed-sessions: `npx tsx examples/express/server.ts` (PORT, SESSION_STORE=cookie|fs|redis, SESSION_HASH_KEY hex).
import express, { type Express } from "express";
import type { Store } from "typed-sessions";
import { loadDemoKeys } from "../demo/keys.ts";
import { createDemoStore } from "../demo/store.ts";
import { expressSessions } from "typed-sessions/express";
import { user } from "../../schemas/user.gen.ts";

/** Creates the example app: visits counter, login/logout with a flash, a streamed page; sessions saved by saveAll. */
export function createApp(store: Store): Express {
  const users = user.sessions(store);
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  app.use(expressSessions({ saveAll: true }));

  app.get("/visits", async (req, res) => {
    const session = await users.get(req);
    session.visits += 1;
    session.lastSeen = new Date();
    res.type("text").send(`visits: ${session.visits}`);
  });

  app.post("/login", async (req, res) => {
    const session = await users.get(req);
    session.name = String(req.body?.name ?? "");
    session.addFlash({ kind: "info", text: `Welcome, ${session.name}!` });
    await session.regenerate(); // new id at login: the session-fixation defence
    res.redirect(303, "/whoami");
  });

  app.get("/whoami", async (req, res) => {
    const session = await users.get(req);
    const flashes = session.flashes().map((f) => ` [${f.kind}] ${f.text}`).join("");
    res.type("text").send(`name: ${session.name || "(nobody)"}${flashes}`);
  });

  app.post("/logout", async (req, res) => {
    const session = await users.get(req);
    await session.destroy();
    res.redirect(303, "/whoami");
  });

  // Headers written by hand still carry the session: saveAll runs before they go out.
  app.get("/stream", async (req, res) => {
    const session = await users.get(req);
    session.visits += 1;
    res.writeHead(200, { "content-type": "text/plain" });
    res.write("visits: ");
    res.end(String(session.visits));
  });
  return app;
}


if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1])) {
  // The demo's key loading (hex env vars, else development keys) and store choice (SESSION_STORE=cookie|fs|redis).
  const store = await createDemoStore(process.env["SESSION_STORE"], loadDemoKeys(process.env));
  const port = Number(process.env["PORT"] ?? 8080);
  createApp(store).listen(port, "127.0.0.1", () => console.log(`Express example on http://127.0.0.1:${port}/visits`));
}
