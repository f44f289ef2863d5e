// typed-sessions/fastify: a Fastify plugin that gives every request its sessions (`request.sessions`).
// Fastify is an optional peer dependency: import this module only from a Fastify app.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ServerResponse } from "node:http";
import { nodeContext } from "../../http/node.ts";
import { type RequestSessions, requestSessions } from "../request-sessions.ts";

declare module "fastify" {
  interface FastifyRequest {
    /** This request's sessions, set by the `typed-sessions/fastify` plugin. */
    sessions: RequestSessions;
  }
}

/** Options of the {@link fastifySessions} plugin. */
export interface FastifySessionOptions {
  /**
   * Saves every changed session of the request in the `onSend` hook, before the headers are written, so
   * handlers need no `session.save(ctx)`; a failed save becomes Fastify's error response. @default false
   */
  saveAll?: boolean | undefined;
}

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
 * Returns the Fastify plugin: an `onRequest` hook makes each request's context and sets `request.sessions`
 * (typed: `await request.sessions.get(user.sessions(store))` returns the generated session type); with
 * `saveAll`, an `onSend` hook saves the changed sessions before the headers go out. Not encapsulated, so it
 * covers every route of the instance it is registered on.
 * @example
 * await app.register(fastifySessions({ saveAll: true }));
 * app.get("/", async (request) => {
 *   const session = await request.sessions.get(user.sessions(store));
 *   session.visits += 1;
 *   return { visits: session.visits };
 * });
 */
export function fastifySessions(options: FastifySessionOptions = {}): (app: FastifyInstance) => Promise<void> {
  async function plugin(app: FastifyInstance): Promise<void> {
    app.decorateRequest("sessions", null as unknown as RequestSessions);
    app.addHook("onRequest", async (request: FastifyRequest, reply: FastifyReply) => {
      request.sessions = requestSessions(nodeContext(request, replyHeaders(reply)));
    });
    if (options.saveAll === true) {
      app.addHook("onSend", async (request: FastifyRequest, _reply: FastifyReply, payload: unknown) => {
        // null when an earlier onRequest hook answered before ours ran: there is nothing to save.
        await (request.sessions as RequestSessions | null)?.saveAll();
        return payload;
      });
    }
  }
  // What fastify-plugin does: run in the parent's scope, so the hooks reach every route.
  Object.assign(plugin, { [Symbol.for("skip-override")]: true, [Symbol.for("fastify.display-name")]: "typed-sessions" });
  return plugin;
}

export type { RequestSessions, SessionSource } from "../request-sessions.ts";
