import { SessionError } from "../errors.ts";
import { ObjectSlot } from "../internal/object-slot.ts";
import type { CookieOptions } from "./cookie-options.ts";
import { formatSetCookie } from "./cookie-header.ts";
import type { PendingCookie, RequestContext } from "./request-context.ts";

/**
 * A request's cookies as a framework hands them to server code that sees no request or response: Next.js's
 * `await cookies()` (from `next/headers`) in Server Actions, Route Handlers and Server Components.
 * `manager.get(jar)` reads the session cookie with `get`, and a save writes it with `set`.
 * @example
 * import { cookies } from "next/headers";
 * const session = await users.get(await cookies());
 */
export interface CookieJar {
  /** Returns the cookie `name` as the request sent it (or as this request set it since), or `undefined`. */
  get(name: string): { readonly value: string } | undefined;
  /**
   * Sets the cookie `name` on the response. Throws where no cookie can be set (Next.js: in a Server
   * Component); a save then rejects with `cookies_read_only`.
   */
  set(
    name: string,
    value: string,
    attributes: {
      path: string;
      domain?: string;
      /** Seconds; 0 with `expires` in 1970 deletes the cookie; absent for a browser-session cookie. */
      maxAge?: number;
      expires?: Date;
      httpOnly: boolean;
      secure: boolean;
      sameSite?: "lax" | "strict" | "none";
      partitioned?: boolean;
      priority?: "low" | "medium" | "high";
    },
  ): unknown;
}

/** The attributes {@link CookieJar.set} takes. */
type JarAttributes = Parameters<CookieJar["set"]>[2];

/** The earliest `Expires` gorilla/sessions writes to delete a cookie (as `formatSetCookie` does). */
const DELETE_EXPIRES = new Date(1000);

/** Turns a session's cookie attributes into what a jar's `set` takes: `maxAge` and `expires` as the header has them. */
function jarAttributes(attributes: CookieOptions): JarAttributes {
  const out: JarAttributes = { path: attributes.path, httpOnly: attributes.httpOnly, secure: attributes.secure !== false };
  if (attributes.domain !== undefined) out.domain = attributes.domain;
  if (attributes.maxAge > 0) out.maxAge = attributes.maxAge; // the jar sets Expires from it
  else if (attributes.maxAge < 0) {
    out.maxAge = 0;
    out.expires = DELETE_EXPIRES;
  }
  if (attributes.sameSite !== false) out.sameSite = attributes.sameSite;
  if (attributes.partitioned) out.partitioned = true;
  if (attributes.priority !== undefined) out.priority = attributes.priority;
  return out;
}

/** A {@link RequestContext} over a {@link CookieJar}: one per jar, so every `get` in a request shares its sessions. */
class JarContext implements RequestContext {
  readonly request: CookieJar;
  /** Set once the jar refused a cookie: later saves fail before they write anything. */
  #refused: unknown = undefined;

  constructor(jar: CookieJar) {
    this.request = jar;
  }

  getCookie(name: string): string | undefined {
    const value = this.request.get(name)?.value;
    // "" is what a delete leaves in the jar (Next.js: after a destroy, in the render that follows an action).
    return value === "" ? undefined : value;
  }

  prepareCookie(name: string, value: string, attributes: CookieOptions): PendingCookie {
    if (this.#refused !== undefined) throw readOnly(name, this.#refused);
    const formatted = formatSetCookie(name, value, attributes);
    // Next.js percent-encodes every value it sets ("=" as %3D): measure what goes out.
    const raw = `${name}=${value}`;
    const header = formatted.startsWith(raw) ? `${name}=${encodeURIComponent(value)}${formatted.slice(raw.length)}` : formatted;
    return {
      header,
      commit: () => {
        try {
          this.request.set(name, value, jarAttributes(attributes));
        } catch (cause) {
          this.#refused = cause;
          throw readOnly(name, cause);
        }
      },
    };
  }
}

function readOnly(name: string, cause: unknown): SessionError {
  return new SessionError(
    "cookies_read_only",
    `the cookie of session "${name}" cannot be set here: the cookie store refused it (Next.js sets cookies only in Server Actions, Route Handlers and the proxy; a Server Component can read a session but not save it). Save the session in a Server Action or a Route Handler.`,
    { cause },
  );
}

const contexts = new ObjectSlot<JarContext>("typed-sessions.cookie-jar-context");

/** Returns the {@link RequestContext} of `jar`, the same one for every call with the same jar. */
export function jarContext(jar: CookieJar): RequestContext {
  let ctx = contexts.get(jar);
  if (ctx === undefined) {
    ctx = new JarContext(jar);
    contexts.set(jar, ctx);
  }
  return ctx;
}

/**
 * Tells whether `value` can be read as a {@link CookieJar}: it has `get` and `set` methods, and is not a
 * framework's request or context object (those have `req` or `raw`: a Hono `c`, an Express or Koa `res`).
 */
export function isCookieJar(value: object): value is CookieJar {
  const jar = value as Partial<CookieJar>;
  return typeof jar.get === "function" && typeof jar.set === "function" && !("req" in value) && !("raw" in value);
}
