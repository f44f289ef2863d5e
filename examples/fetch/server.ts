// Any Fetch-API server + typed-sessions: `npx tsx examples/fetch/server.ts` (PORT, SESSION_STORE=cookie|fs|redis).
// The handler is a plain `(request: Request) => Promise<Response>`:
//   Next.js route handler:  export const GET = fetchSessions(handler)   (app/…/route.ts)
//   Bun:                    Bun.serve({ fetch: createHandler(store) })
//   Deno:                   Deno.serve(createHandler(store))
// Here it runs on node:http through @hono/node-server's Fetch bridge.
import { serve } from "@hono/node-server";
import type { Store } from "typed-sessions";
import { loadDemoKeys } from "../demo/keys.ts";
import { createDemoStore } from "../demo/store.ts";
import { fetchSessions } from "typed-sessions/fetch";
import { user } from "../../schemas/user.gen.ts";

const redirect = (to: string) => new Response(null, { status: 303, headers: { location: to } });

/** Creates the example's Fetch handler: visits counter and login/logout with a flash; sessions saved by saveAll. */
export function createHandler(store: Store): (request: Request) => Promise<Response> {
  const users = user.sessions(store);
  return fetchSessions(
    async (request) => {
      const route = `${request.method} ${new URL(request.url).pathname}`;
      const session = await users.get(request); // typed: UserSession
      switch (route) {
        case "GET /visits":
          session.visits += 1;
          session.lastSeen = new Date();
          return new Response(`visits: ${session.visits}`);
        case "POST /login": {
          const form = await request.formData();
          session.name = String(form.get("name") ?? "");
          session.addFlash({ kind: "info", text: `Welcome, ${session.name}!` });
          await session.regenerate(); // new id at login: the session-fixation defence
          return Response.redirect(new URL("/whoami", request.url), 303);
        }
        case "GET /whoami": {
          const flashes = session.flashes().map((f) => ` [${f.kind}] ${f.text}`).join("");
          return new Response(`name: ${session.name || "(nobody)"}${flashes}`);
        }
        case "POST /logout":
          await session.destroy();
          return redirect("/whoami");
        default:
          return new Response("not found", { status: 404 });
      }
    },
    { saveAll: true },
  );
}


if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1])) {
  // The demo's key loading (hex env vars, else development keys) and store choice (SESSION_STORE=cookie|fs|redis).
  const store = await createDemoStore(process.env["SESSION_STORE"], loadDemoKeys(process.env));
  const port = Number(process.env["PORT"] ?? 8080);
  serve({ fetch: createHandler(store), port, hostname: "127.0.0.1" });
  console.log(`Fetch example on http://127.0.0.1:${port}/visits`);
}
