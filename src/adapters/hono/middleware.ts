// typed-sessions/hono: a Hono middleware that gives every request its sessions (`c.get("sessions")`).
// Only Hono's types are imported: nothing from Hono is loaded at run time.
import type { MiddlewareHandler } from "hono";
import { fetchContext } from "../../http/fetch.ts";
import type { FetchSessionOptions } from "../fetch/with-sessions.ts";
import { type RequestSessions, requestSessions } from "../request-sessions.ts";

/** The Hono variables the middleware sets: use as `new Hono<{ Variables: SessionVariables }>()`. */
export interface SessionVariables {
  /** This request's sessions. */
  sessions: RequestSessions;
}

/**
 * Creates a Hono middleware: makes the request context from `c.req.raw`, sets `c.get("sessions")`, and after
 * the handler (with `saveAll`, having saved the changed sessions) writes every `Set-Cookie` into `c.res`.
 * @example
 * const app = new Hono<{ Variables: SessionVariables }>();
 * app.use(sessionMiddleware({ saveAll: true }));
 * app.get("/", async (c) => {
 *   const session = await c.get("sessions").get(user.sessions(store));
 *   session.visits += 1;
 *   return c.text(`visits: ${session.visits}`);
 * });
 */
export function sessionMiddleware(options: FetchSessionOptions = {}): MiddlewareHandler<{ Variables: SessionVariables }> {
  return async (c, next) => {
    const ctx = fetchContext(c.req.raw);
    const sessions = requestSessions(ctx);
    c.set("sessions", sessions);
    await next();
    if (options.saveAll === true) await sessions.saveAll();
    const lines = ctx.headers.getSetCookie();
    if (lines.length === 0) return;
    try {
      for (const line of lines) c.res.headers.append("Set-Cookie", line);
    } catch {
      // Immutable headers (a fetched or Response.redirect() response): Hono's `c.res` setter makes a
      // mutable copy (keeping its own Set-Cookie lines only), to which ours are then appended.
      c.res = new Response(c.res.body, c.res);
      for (const line of lines) c.res.headers.append("Set-Cookie", line);
    }
  };
}

export type { FetchSessionOptions } from "../fetch/with-sessions.ts";
export type { RequestSessions, SessionSource } from "../request-sessions.ts";
