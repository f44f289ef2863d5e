import type { FetchContext } from "../http/fetch.ts";
import { existingFetchContext } from "../http/fetch.ts";

/**
 * Appends `lines` to `headers`; returns false, having appended nothing, when the headers are immutable
 * (those of `Response.redirect()` or a `fetch()` result).
 */
export function appendSetCookies(headers: Headers, lines: readonly string[]): boolean {
  try {
    for (const line of lines) headers.append("Set-Cookie", line);
    return true;
  } catch {
    return false;
  }
}

/**
 * Appends the `Set-Cookie` lines the sessions of a request set to `response`, and returns it. `cookies` is
 * the request, its context, or the context's headers. A response whose headers are immutable
 * (`Response.redirect()`, a `fetch()` result) is copied into a new `Response` with the same body, status and
 * headers first.
 * @example return applySetCookies(new Response("ok"), request);
 */
export function applySetCookies(response: Response, cookies: Request | FetchContext | Headers): Response {
  const headers =
    cookies instanceof Headers ? cookies : cookies instanceof Request ? existingFetchContext(cookies)?.headers : cookies.headers;
  const lines = headers?.getSetCookie() ?? [];
  if (lines.length === 0 || appendSetCookies(response.headers, lines)) return response;
  const copy = new Response(response.body, {
    status: response.status,
    statusText: response.statusText,
    headers: new Headers(response.headers),
  });
  appendSetCookies(copy.headers, lines);
  return copy;
}

/**
 * True for a 5xx status: with `saveAll`, the adapters save nothing for such a response (what a handler that
 * throws ends in), so a request that failed half-way leaves its sessions as they were.
 */
export function isServerError(status: number): boolean {
  return status >= 500 && status <= 599;
}
