// Fastify is an optional peer dependency: only its types are imported.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ServerResponse } from "node:http";
import { attachContext, attachedContext } from "../../http/context-source.ts";
import { nodeContext } from "../../http/node.ts";
import { saveCached } from "../../session/registry.ts";
import type { SaveAllOptions } from "../fetch/with-sessions.ts";
import { isServerError } from "../set-cookies.ts";

/** Lets the node:http context write `Set-Cookie` through Fastify's reply (which owns the headers). */
function replyHeaders(reply: FastifyReply): Pick<ServerResponse, "getHeader" | "setHeader" | "headersSent"> {
  const shim = {
    getHeader: (name: string) => reply.getHeader(name),
    setHeader(name: string, value: number | string | readonly string[]) {
      // Fastify appends to an existing set-cookie header: replace the whole list instead.
      reply.removeHeader(name);
      reply.header(name, value);
      return shim;
    },
    get headersSent() {
      return reply.raw.headersSent;
    },
  };
  return shim as unknown as Pick<ServerResponse, "getHeader" | "setHeader" | "headersSent">;
}

/**
 * Returns the Fastify plugin: an `onRequest` hook makes each request's context, so handlers get sessions
 * from the request or the reply (`await users.get(request)`); with `saveAll`, an `onSend` hook saves the
 * changed sessions before the headers go out, unless the response is a 5xx (a failed save becomes Fastify's
 * error response). Not
 * encapsulated, so it covers every route of the instance it is registered on.
 * @example
 * await app.register(fastifySessions({ saveAll: true }));
 * app.get("/", async (request) => {
 *   const session = await users.get(request);
 *   session.visits += 1;
 *   return { visits: session.visits };
 * });
 */
export function fastifySessions(options: SaveAllOptions = {}): (app: FastifyInstance) => Promise<void> {
  async function plugin(app: FastifyInstance): Promise<void> {
    app.addHook("onRequest", async (request: FastifyRequest, reply: FastifyReply) => {
      const ctx = nodeContext(request, replyHeaders(reply));
      attachContext(request, ctx);
      attachContext(reply, ctx);
    });
    if (options.saveAll === true) {
      app.addHook("onSend", async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
        // None when an earlier onRequest hook answered before ours ran: there is nothing to save.
        const ctx = attachedContext(request);
        // A 5xx (what a handler's throw becomes, and a failed save here) saves nothing.
        if (ctx !== undefined && !isServerError(reply.statusCode)) await saveCached(ctx);
        return payload;
      });
    }
  }
  // What fastify-plugin does: run in the parent's scope, so the hooks reach every route.
  Object.assign(plugin, { [Symbol.for("skip-override")]: true, [Symbol.for("fastify.display-name")]: "typed-sessions" });
  return plugin;
}
