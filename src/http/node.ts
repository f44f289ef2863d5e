import type { IncomingMessage, ServerResponse } from "node:http";
import { SessionError } from "../errors.ts";
import { ObjectSlot } from "../internal/object-slot.ts";
import type { CookieOptions } from "./cookie-options.ts";
import { formatSetCookie, parseCookieHeader } from "./cookie-header.ts";
import type { RequestContext } from "./context.ts";

/** The parts of `IncomingMessage` the adapter reads (Express's `req` fits too). */
export type NodeRequestLike = Pick<IncomingMessage, "headers">;
/** The parts of `ServerResponse` the adapter writes (Express's `res` fits too). */
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
 * Creates a {@link RequestContext} for node:http (and Express, which extends it): cookies are read from
 * `req.headers.cookie`, and each `setCookie` appends one `Set-Cookie` header to `res`, keeping any set by
 * other code. Save sessions before writing the body: after that, `setCookie` throws `headers_sent`. Calling
 * it twice for the same response returns the same context.
 * @example
 * http.createServer(async (req, res) => {
 *   const ctx = nodeContext(req, res);
 *   const session = await mySessions.get(ctx);
 * });
 */
export function nodeContext(req: NodeRequestLike, res: NodeResponseLike): NodeContext {
  const cached = contexts.get(res);
  if (cached !== undefined && cached.request === req) return cached;
  const ctx = createNodeContext(req, res);
  contexts.set(res, ctx);
  return ctx;
}

function createNodeContext(req: NodeRequestLike, res: NodeResponseLike): NodeContext {
  let cookies: Record<string, string | undefined> | undefined;
  const written = new Map<string, string>();
  const assertCookieWritable = (name: string): void => {
    if (res.headersSent) {
      throw new SessionError(
        "headers_sent",
        `the session "${name}" was saved after the response headers were sent; save sessions before writing the body.`,
      );
    }
  };
  return {
    request: req,
    response: res,
    getCookie(name) {
      cookies ??= parseCookieHeader(req.headers.cookie);
      return cookies[name];
    },
    assertCookieWritable,
    setCookie(name: string, value: string, options: CookieOptions) {
      assertCookieWritable(name);
      const header = formatSetCookie(name, value, options);
      const previous = written.get(name);
      const list = headerList(res.getHeader("set-cookie")).filter((line) => line !== previous);
      list.push(header);
      written.set(name, header);
      res.setHeader("Set-Cookie", list);
    },
  };
}
