import type { CookieOptions } from "./cookie-options.ts";
import { formatSetCookie, parseCookieHeader } from "./cookie-header.ts";
import type { RequestContext } from "./context.ts";

/** A {@link RequestContext} for the Fetch API, with the response `headers` to put on your `Response`. */
export interface FetchContext extends RequestContext {
  /** The response headers that receive `Set-Cookie` lines. */
  readonly headers: Headers;
}

/**
 * Creates a {@link RequestContext} for the Fetch API (Hono, Bun, Deno, workers, Next.js route handlers):
 * cookies come from the request's `Cookie` header; each `setCookie` appends a `Set-Cookie` to `headers`
 * (a new `Headers` when omitted), which you then pass to your `Response`.
 * @example
 * const ctx = fetchContext(request);
 * const session = await mySessions.get(ctx);
 * session.set("name", "kataras");
 * await session.save(ctx);
 * return new Response("ok", { headers: ctx.headers });
 */
export function fetchContext(request: Request, headers: Headers = new Headers()): FetchContext {
  let cookies: Record<string, string | undefined> | undefined;
  const written = new Map<string, string>();
  return {
    request,
    headers,
    getCookie(name) {
      cookies ??= parseCookieHeader(request.headers.get("cookie"));
      return cookies[name];
    },
    setCookie(name: string, value: string, options: CookieOptions) {
      const header = formatSetCookie(name, value, options);
      const previous = written.get(name);
      if (previous !== undefined) {
        // Headers cannot remove one Set-Cookie line: rebuild the list without our earlier one.
        const rest = headers.getSetCookie().filter((line) => line !== previous);
        headers.delete("Set-Cookie");
        for (const line of rest) headers.append("Set-Cookie", line);
      }
      headers.append("Set-Cookie", header);
      written.set(name, header);
    },
  };
}
