// typed-sessions/fetch: sessions for any Fetch-API server (Next.js route handlers, Bun, Deno, workers).
import { fetchContext } from "../../http/fetch.ts";
import { type RequestSessions, requestSessions } from "../request-sessions.ts";
import { applySetCookies } from "../set-cookies.ts";

/** Options of {@link withSessions}. */
export interface FetchSessionOptions {
  /**
   * Saves every changed session of the request after the handler returns, before its `Set-Cookie` lines
   * are copied onto the response, so handlers need no `session.save(ctx)`. @default false
   */
  saveAll?: boolean | undefined;
}

/** A Fetch handler that receives the request's sessions after the request (and any extra arguments). */
export type SessionHandler<A extends unknown[]> = (
  request: Request,
  sessions: RequestSessions,
  ...rest: A
) => Response | Promise<Response>;

/**
 * Wraps a Fetch handler: makes the request context, passes the request's sessions to `handler`, then (with
 * `saveAll`) saves the changed ones and writes every `Set-Cookie` into the returned `Response`'s headers.
 * Extra arguments (Next.js's route context, Bun's server) are passed through.
 * @example
 * // Next.js app/api/visits/route.ts
 * export const GET = withSessions(async (request, sessions) => {
 *   const session = await sessions.get(user.sessions(store));
 *   session.visits += 1;
 *   return Response.json({ visits: session.visits });
 * }, { saveAll: true });
 * // Bun.serve({ fetch: withSessions(handler) }) · Deno.serve(withSessions(handler))
 */
export function withSessions<A extends unknown[]>(
  handler: SessionHandler<A>,
  options: FetchSessionOptions = {},
): (request: Request, ...rest: A) => Promise<Response> {
  return async (request, ...rest) => {
    const ctx = fetchContext(request);
    const sessions = requestSessions(ctx);
    const response = await handler(request, sessions, ...rest);
    if (options.saveAll === true) await sessions.saveAll();
    return applySetCookies(response, ctx.headers);
  };
}

export { applySetCookies } from "../set-cookies.ts";
export { fetchContext } from "../../http/fetch.ts";
export type { FetchContext } from "../../http/fetch.ts";
export type { RequestSessions, SessionSource } from "../request-sessions.ts";
