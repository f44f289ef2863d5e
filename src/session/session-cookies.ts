// The cookies one session takes in one request: read its value, set it, expire it. One cookie named after
// the session; with a chunking store (Store.chunking), as many chunks as its value needs (stores/cookie-chunks.ts).
import { attributesLength } from "../http/cookie-header.ts";
import type { CookieOptions } from "../http/cookie-options.ts";
import type { PendingCookie, RequestContext } from "../http/request-context.ts";
import { checkSingleCookie, readChunks, splitChunks } from "../stores/cookie-chunks.ts";
import type { Binding, SessionState } from "./lifecycle.ts";

/**
 * Returns the session's cookie value in the request: its one cookie, or its chunks joined; `undefined`
 * when it has none. Throws `invalid_chunks` (a decode error) for chunks that are not one whole set.
 */
export function readCookieValue(binding: Binding, context: RequestContext): string | undefined {
  const names = binding.chunkNames;
  return names === undefined ? context.getCookie(binding.name) : readChunks(names, context);
}

/**
 * Formats the `Set-Cookie` headers that carry `value` for the session and checks their sizes, writing
 * nothing yet: one header, or with a chunking store one per chunk, and `Max-Age=0` for each chunk the
 * browser would otherwise keep (that the request carried, or an earlier save of this request set) beyond
 * the new last one. `checkSize` measures each header against the store's limit (it throws
 * `cookie_too_large`); throws `chunk_limit_exceeded`, `headers_sent` or `invalid_option` too. `commit()`
 * puts them all on the response.
 */
export function prepareCookies(
  state: SessionState,
  value: string,
  attributes: Readonly<CookieOptions>,
  checkSize: (name: string, header: string, limit: number) => void,
): PendingCookie {
  const { name, store, chunkNames: names } = state.binding;
  const limit = store.cookieLimit;
  const caps = store.chunking;
  if (names === undefined || caps === undefined) {
    const pending = state.context.prepareCookie(name, value, attributes);
    checkSize(name, pending.header, limit);
    return pending;
  }
  // The attributes' length as the library formats them (kept per second for frozen attributes): what
  // decides whether the value fits in one cookie, and where to cut it if not. Each header is measured too.
  const suffix = attributesLength(attributes);
  const single = name.length + 1 + value.length + suffix <= limit;
  const chunks = single ? undefined : splitChunks(name, value, suffix, limit, caps);
  if (single) checkSingleCookie(name, value, caps);
  const count = chunks === undefined ? 1 : chunks.length;
  const stale = staleChunks(state, names, count);
  if (chunks === undefined && stale === undefined) {
    // What a session that fits costs with chunking on: the one header, as without (sentChunks stays ≤ 1).
    const pending = state.context.prepareCookie(name, value, attributes);
    checkSize(name, pending.header, limit);
    return pending;
  }
  const pending = (chunks ?? [value]).map((chunk, index) => {
    const cookie = state.context.prepareCookie(names[index] as string, chunk, attributes);
    checkSize(names[index] as string, cookie.header, limit);
    return cookie;
  });
  if (stale !== undefined) {
    const expired = { ...attributes, maxAge: -1 };
    for (const chunkName of stale) pending.push(state.context.prepareCookie(chunkName, "", expired));
  }
  return {
    header: (pending[0] as PendingCookie).header,
    commit: () => {
      for (const cookie of pending) cookie.commit();
      state.sentChunks = count;
    },
  };
}

/**
 * The names of the chunks from index `from` on that the browser would keep (the request carried them, or
 * this request set them), or `undefined` for none.
 */
function staleChunks(state: SessionState, names: readonly string[], from: number): string[] | undefined {
  let stale: string[] | undefined;
  for (let index = Math.max(from, 1); index < names.length; index++) {
    const chunkName = names[index] as string;
    if (index < state.sentChunks || state.context.getCookie(chunkName) !== undefined) (stale ??= []).push(chunkName);
  }
  return stale;
}

/**
 * Expires the session's cookie (`attributes` carry `maxAge` < 0): its one cookie, or with a chunking store
 * every chunk the request carried or this request set, the first always.
 */
export function expireCookies(state: SessionState, attributes: Readonly<CookieOptions>): void {
  const { name, chunkNames: names } = state.binding;
  if (names === undefined) {
    state.context.prepareCookie(name, "", attributes).commit();
    return;
  }
  const pending = [name, ...(staleChunks(state, names, 1) ?? [])].map((chunkName) => state.context.prepareCookie(chunkName, "", attributes));
  for (const cookie of pending) cookie.commit();
  state.sentChunks = 0;
}
