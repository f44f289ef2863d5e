import { ObjectSlot } from "../internal/object-slot.ts";
import { type CookieIo, CookieContext, type RequestContext } from "./request-context.ts";

/**
 * The parts of node:http's `IncomingMessage` the node adapter reads (Express's `req` fits too), written out
 * so that the package's types need no `@types/node`.
 */
export interface NodeRequestLike {
  /** The request headers; the adapter reads `cookie` (and, with `trustProxy`, `x-forwarded-proto`). */
  readonly headers: { readonly cookie?: string | undefined; readonly "x-forwarded-proto"?: string | readonly string[] | undefined };
  /** The connection; a TLS socket has `encrypted: true` (read for `secure: "auto"`). */
  readonly socket?: object | null | undefined;
}

/** The parts of node:http's `ServerResponse` the node adapter writes (Express's `res` fits too). */
export interface NodeResponseLike {
  /** Returns the response header `name` as set so far. */
  getHeader(name: string): number | string | readonly string[] | undefined;
  /** Sets the response header `name`, replacing any. */
  setHeader(name: string, value: number | string | readonly string[]): unknown;
  /** True once the headers are on their way. */
  readonly headersSent: boolean;
}

/** A {@link RequestContext} over node:http, with the response it writes to. */
export type NodeContext = RequestContext & { readonly response: NodeResponseLike };

/** One context per response, so every caller in a request shares its Set-Cookie bookkeeping. */
const contexts = new ObjectSlot<NodeContext>("typed-sessions.context");

/** The views contexts write through, for responses an adapter shows the handler as already sent. */
const views = new ObjectSlot<NodeResponseLike>("typed-sessions.response-view");

/**
 * Makes every context of `res` read and write its headers through `view` from now on: the response as
 * node:http sees it, for an adapter that holds the response back while the handler sees it as sent (so
 * the handler's own `setHeader` throws, but saving the sessions can still set `Set-Cookie`).
 */
export function writeThrough(res: object, view: NodeResponseLike): void {
  views.set(res, view);
}

/** How a node:http request and response read and write cookies. */
class NodeCookies implements CookieIo {
  readonly #req: NodeRequestLike;
  readonly #res: NodeResponseLike;

  constructor(req: NodeRequestLike, res: NodeResponseLike) {
    this.#req = req;
    this.#res = res;
  }

  cookieHeader(): string | undefined {
    return this.#req.headers.cookie;
  }

  secure(): boolean {
    return (this.#req.socket as { encrypted?: unknown } | null | undefined)?.encrypted === true;
  }

  forwardedProto(): string | undefined {
    const value = this.#req.headers["x-forwarded-proto"];
    return typeof value === "string" ? value : value?.[0];
  }

  /** The response, or the view an adapter registered for it with {@link writeThrough}. */
  #out(): NodeResponseLike {
    return views.get(this.#res) ?? this.#res;
  }

  getSetCookies(): readonly string[] {
    const value = this.#out().getHeader("set-cookie");
    if (value === undefined) return [];
    return Array.isArray(value) ? (value as readonly string[]) : [String(value)];
  }

  setSetCookies(lines: readonly string[]): void {
    // One line as a string, as Express's res.cookie leaves it: node:http checks an array's characters by
    // joining it into a string first (and again when it writes the headers).
    this.#out().setHeader("Set-Cookie", lines.length === 1 ? (lines[0] as string) : lines);
  }

  headersSent(): boolean {
    return this.#out().headersSent;
  }
}

class NodeRequestContext extends CookieContext implements NodeContext {
  readonly response: NodeResponseLike;

  constructor(req: NodeRequestLike, res: NodeResponseLike) {
    super(req, new NodeCookies(req, res));
    this.response = res;
  }
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
  const ctx = new NodeRequestContext(req, res);
  contexts.set(res, ctx);
  return ctx;
}
