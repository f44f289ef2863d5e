import { SessionError } from "../errors.ts";
import { ObjectSlot } from "../internal/object-slot.ts";
import { type CookieJar, isCookieJar, jarContext } from "./cookie-jar.ts";
import { fetchContext } from "./fetch.ts";
import { type NodeRequestLike, type NodeResponseLike, nodeContext } from "./node.ts";
import type { RequestContext } from "./request-context.ts";

/**
 * What `manager.get(…)` and `saveAll(…)` take to find a request's context: a {@link RequestContext}; a Fetch
 * `Request`; a node:http `req` with its `res` as the second argument (an Express `req` alone also works,
 * through `req.res`); an object an adapter middleware registered: a Fastify `request` or `reply`, a
 * Hono `c`; or a {@link CookieJar}: Next.js's `await cookies()`.
 */
export type RequestSource =
  | RequestContext
  | Request
  | NodeRequestLike
  | { readonly raw: NodeRequestLike | NodeResponseLike }
  | { readonly req: { readonly raw: Request } }
  | CookieJar;

/** Contexts the adapters attached to their framework's objects (Fastify request/reply, Hono's c). */
const attached = new ObjectSlot<RequestContext>("typed-sessions.attached-context");

/**
 * Registers `ctx` as the request context of `owner`, a framework's own request object, so that
 * `manager.get(owner)` and `saveAll(owner)` find it. Adapter middlewares call it once per request.
 * @example
 * attachContext(koaCtx, createRequestContext(koaCtx.req, io)); // then: await users.get(koaCtx)
 */
export function attachContext(owner: object, ctx: RequestContext): void {
  attached.set(owner, ctx);
}

/** Returns the context an adapter attached to `owner`, if any. */
export function attachedContext(owner: object): RequestContext | undefined {
  return attached.get(owner);
}

function isContext(value: object): value is RequestContext {
  return typeof (value as RequestContext).getCookie === "function" && typeof (value as RequestContext).prepareCookie === "function";
}

function hasHeaders(value: object): value is NodeRequestLike {
  const headers = (value as { headers?: unknown }).headers;
  return typeof headers === "object" && headers !== null && !(headers instanceof Headers);
}

function isNodeResponse(value: unknown): value is NodeResponseLike {
  return typeof value === "object" && value !== null && typeof (value as NodeResponseLike).setHeader === "function";
}

/**
 * Returns the request context `source` stands for (see {@link RequestSource}); `res` is the node:http
 * response of a node `req`. Throws `missing_middleware` for an object no adapter registered.
 */
export function resolveContext(source: RequestSource | object, res?: NodeResponseLike): RequestContext {
  if (res !== undefined) return nodeContext(source as NodeRequestLike, res);
  if (typeof source !== "object" || source === null) throw missingMiddleware();
  const known = attached.get(source);
  if (known !== undefined) return known;
  if (isContext(source)) return source;
  if (typeof Request !== "undefined" && source instanceof Request) return fetchContext(source);
  const own = (source as { res?: unknown }).res;
  if (hasHeaders(source) && isNodeResponse(own)) return nodeContext(source, own);
  if (isCookieJar(source)) return jarContext(source);
  throw missingMiddleware();
}

function missingMiddleware(): SessionError {
  return new SessionError(
    "missing_middleware",
    "cannot find the request context of this object: pass a node (req, res) pair, a Fetch Request, a request context, a cookie store (Next.js's `await cookies()`), or a Fastify request / Hono context after registering the typed-sessions plugin or middleware.",
  );
}
