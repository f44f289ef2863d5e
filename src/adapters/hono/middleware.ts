// Only Hono's types are imported: nothing from Hono is loaded at run time.
import type { MiddlewareHandler } from "hono";
import { attachContext } from "../../http/context-source.ts";
import { fetchContext } from "../../http/fetch.ts";
import { saveCached } from "../../session/registry.ts";
import type { SaveAllOptions } from "../fetch/with-sessions.ts";
import { appendSetCookies, isServerError } from "../set-cookies.ts";

/**
 * Creates a Hono middleware: makes the request's context from `c.req.raw` (so `mySessions.get(c)` works in
 * every handler after it), and after the handler (with `saveAll`, having saved the changed sessions unless
 * the response is a 5xx) writes every `Set-Cookie` into `c.res`.
 * @example
 * const app = new Hono();
 * app.use(honoSessions({ saveAll: true }));
 * app.get("/", async (c) => {
 *   const session = await users.get(c);
 *   session.visits += 1;
 *   return c.text(`visits: ${session.visits}`);
 * });
 */
export function honoSessions(options: SaveAllOptions = {}): MiddlewareHandler {
  return async (c, next) => {
    const ctx = fetchContext(c.req.raw);
    attachContext(c, ctx);
    await next(); // a handler's throw is already Hono's error response (a 500 unless it says otherwise)
    if (options.saveAll === true && !isServerError(c.res.status)) await saveCached(ctx);
    const lines = ctx.headers.getSetCookie();
    if (lines.length === 0 || appendSetCookies(c.res.headers, lines)) return;
    // Immutable headers (a fetched or Response.redirect() response): Hono's `c.res` setter makes a mutable
    // copy (keeping its own Set-Cookie lines only), to which ours are then appended.
    c.res = new Response(c.res.body, c.res);
    appendSetCookies(c.res.headers, lines);
  };
}
