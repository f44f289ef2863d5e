import type { IncomingMessage, ServerResponse } from "node:http";
import { ObjectSlot } from "../internal/object-slot.ts";
import { type RequestContext, createRequestContext } from "./request-context.ts";

/** The parts of `IncomingMessage` the node adapter reads (Express's `req` fits too). */
export type NodeRequestLike = Pick<IncomingMessage, "headers">;
/** The parts of `ServerResponse` the node adapter writes (Express's `res` fits too). */
export type NodeResponseLike = Pick<ServerResponse, "getHeader" | "setHeader" | "headersSent">;

/** A {@link RequestContext} over node:http, with the response it writes to. */
export type NodeContext = RequestContext & { readonly response: NodeResponseLike };

/** One context per response, so every caller in a request shares its Set-Cookie bookkeeping. */
const contexts = new ObjectSlot<NodeContext>("typed-sessions.context");

function headerList(value: number | string | readonly string[] | undefined): string[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return [...(value as readonly string[])];
  return [String(value)];
}

/**
 * Returns the {@link RequestContext} of a node:http request (Express's `req`/`res` fit too): cookies are
 * read from `req.headers.cookie`, and each `Set-Cookie` is added to `res`, keeping those other code set.
 * Save sessions before writing the body: after that, a save throws `headers_sent`. Calling it again for
 * the same response returns the same context.
 * @example
 * http.createServer(async (req, res) => {
 *   const session = await mySessions.get(req, res); // or mySessions.get(nodeContext(req, res))
 * });
 */
export function nodeContext(req: NodeRequestLike, res: NodeResponseLike): NodeContext {
  const cached = contexts.get(res);
  if (cached !== undefined && cached.request === req) return cached;
  const base = createRequestContext(req, {
    cookieHeader: () => req.headers.cookie,
    getSetCookies: () => headerList(res.getHeader("set-cookie")),
    setSetCookies: (lines) => void res.setHeader("Set-Cookie", lines),
    headersSent: () => res.headersSent,
  });
  const ctx: NodeContext = { request: req, response: res, getCookie: base.getCookie, prepareCookie: base.prepareCookie };
  contexts.set(res, ctx);
  return ctx;
}
