import { ObjectSlot } from "../internal/object-slot.ts";
import { type CookieIo, CookieContext, type RequestContext } from "./request-context.ts";

/** A {@link RequestContext} for the Fetch API, with the response `headers` to put on your `Response`. */
export interface FetchContext extends RequestContext {
  /** The response headers that receive `Set-Cookie` lines. */
  readonly headers: Headers;
}

/** The context last made for each Request, so `manager.get(request)` and `applySetCookies` find it. */
const contexts = new ObjectSlot<FetchContext>("typed-sessions.fetch-context");

/** How a Fetch Request and the response's Headers read and write cookies. */
class FetchCookies implements CookieIo {
  readonly #request: Request;
  readonly #headers: Headers;

  constructor(request: Request, headers: Headers) {
    this.#request = request;
    this.#headers = headers;
  }

  cookieHeader(): string | null {
    return this.#request.headers.get("cookie");
  }

  secure(): boolean {
    return this.#request.url.startsWith("https:");
  }

  forwardedProto(): string | null {
    return this.#request.headers.get("x-forwarded-proto");
  }

  getSetCookies(): readonly string[] {
    return this.#headers.getSetCookie();
  }

  setSetCookies(lines: readonly string[]): void {
    this.#headers.delete("Set-Cookie");
    for (const line of lines) this.#headers.append("Set-Cookie", line);
  }

  appendSetCookie(line: string): void {
    this.#headers.append("Set-Cookie", line);
  }
}

class FetchRequestContext extends CookieContext implements FetchContext {
  readonly headers: Headers;

  constructor(request: Request, headers: Headers) {
    super(request, new FetchCookies(request, headers));
    this.headers = headers;
  }
}

/**
 * Returns the {@link RequestContext} of a Fetch API `Request` (Hono, Bun, Deno, workers, Next.js route
 * handlers): cookies come from its `Cookie` header; `Set-Cookie` lines go to `headers` (a new `Headers` when
 * omitted), which you then copy onto your `Response` with `applySetCookies`. Without `headers`, calling it
 * again for the same request returns the same context.
 * @example
 * const ctx = fetchContext(request);
 * const session = await mySessions.get(ctx);
 * session.set("name", "kataras");
 * await session.save();
 * return applySetCookies(new Response("ok"), ctx);
 */
export function fetchContext(request: Request, headers?: Headers): FetchContext {
  const cached = headers === undefined ? contexts.get(request) : undefined;
  if (cached !== undefined) return cached;
  const ctx = new FetchRequestContext(request, headers ?? new Headers());
  contexts.set(request, ctx);
  return ctx;
}

/** Returns the context {@link fetchContext} made for `request`, if any. */
export function existingFetchContext(request: Request): FetchContext | undefined {
  return contexts.get(request);
}
