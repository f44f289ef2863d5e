import { fetchContext } from "../../http/fetch.ts";
import { saveCached } from "../../session/registry.ts";
import { applySetCookies, isServerError } from "../set-cookies.ts";

/** Options of the adapters: whether they save every changed session of a request by themselves. */
export interface SaveAllOptions {
  /**
   * Saves every changed session of the request before the response's headers go out, so handlers need
   * no `session.save()`. A failed request saves nothing: not when the handler throws, nor when the
   * response is a server error (5xx, what a thrown error becomes), so changes made before the failure are
   * dropped. Saving on demand keeps working either way. @default false
   */
  saveAll?: boolean | undefined;
}

/**
 * Wraps a Fetch handler: makes the request's context (so `mySessions.get(request)` works in it), then (with
 * `saveAll`) saves the changed sessions and writes every `Set-Cookie` into the returned `Response`'s
 * headers. Extra arguments (Next.js's route context, Bun's server) are passed through.
 * @example
 * // Next.js app/api/visits/route.ts
 * export const GET = fetchSessions(async (request) => {
 *   const session = await users.get(request);
 *   session.visits += 1;
 *   return Response.json({ visits: session.visits });
 * }, { saveAll: true });
 * // Bun.serve({ fetch: fetchSessions(handler) }) · Deno.serve(fetchSessions(handler))
 */
export function fetchSessions<A extends unknown[]>(
  handler: (request: Request, ...rest: A) => Response | Promise<Response>,
  options: SaveAllOptions = {},
): (request: Request, ...rest: A) => Promise<Response> {
  return async (request, ...rest) => {
    const ctx = fetchContext(request);
    const response = await handler(request, ...rest); // a throw saves nothing
    if (options.saveAll === true && !isServerError(response.status)) await saveCached(ctx);
    return applySetCookies(response, ctx.headers);
  };
}
