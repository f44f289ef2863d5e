/**
 * Appends the `Set-Cookie` lines of `cookies` (the headers a `fetchContext` collected) to `response` and
 * returns it. Responses whose headers are immutable (`Response.redirect()`, a `fetch()` result) are copied
 * into a new `Response` with the same body, status and headers first.
 * @example return applySetCookies(new Response("ok"), ctx.headers);
 */
export function applySetCookies(response: Response, cookies: Headers): Response {
  const lines = cookies.getSetCookie();
  if (lines.length === 0) return response;
  try {
    for (const line of lines) response.headers.append("Set-Cookie", line);
    return response;
  } catch {
    const copy = new Response(response.body, {
      status: response.status,
      statusText: response.statusText,
      headers: new Headers(response.headers),
    });
    for (const line of lines) copy.headers.append("Set-Cookie", line);
    return copy;
  }
}
