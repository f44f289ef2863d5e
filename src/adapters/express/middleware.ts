// typed-sessions/express: a middleware that gives every request its sessions (`req.sessions`).
// Express is an optional peer dependency: import this module only from an Express app.
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { SessionError } from "../../errors.ts";
import { nodeContext } from "../../http/node.ts";
import { type RequestSessions, requestSessions } from "../request-sessions.ts";
import { saveBeforeHeaders } from "../save-before-headers.ts";

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** This request's sessions, set by `sessionMiddleware()` from `typed-sessions/express`. */
      sessions: RequestSessions;
    }
  }
}

/** Options of {@link sessionMiddleware}. */
export interface ExpressSessionOptions {
  /**
   * Saves every changed session of the request right before the response headers are sent (the first
   * `res.write`/`res.end`; an explicit `res.writeHead` is held back until then), so handlers need no
   * `session.save(ctx)`. Saving on demand keeps working either way. @default false
   */
  saveAll?: boolean | undefined;
  /**
   * Called when `saveAll` fails (e.g. a store is unavailable). The held-back response is then replaced by
   * a 500 unless this hook has already answered (`res.headersSent`).
   * @default respond 500 "Internal Server Error"
   */
  onSaveError?: ((err: unknown, req: Request, res: Response) => void) | undefined;
}

/**
 * Creates an Express middleware that makes each request's context and exposes its sessions as
 * `req.sessions`: `await req.sessions.get(mySessions)` returns the (typed) session, and
 * `session.save(req.sessions.context)` saves it on demand. With `saveAll: true` every changed session is
 * saved just before the headers go out.
 * @example
 * app.use(sessionMiddleware({ saveAll: true }));
 * app.get("/", async (req, res) => {
 *   const session = await req.sessions.get(user.sessions(store));
 *   session.visits += 1;
 *   res.send(`visits: ${session.visits}`);
 * });
 */
export function sessionMiddleware(options: ExpressSessionOptions = {}): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const sessions = requestSessions(nodeContext(req, res));
    req.sessions = sessions;
    if (options.saveAll === true) {
      saveBeforeHeaders(res, () => sessions.saveAll(), {
        saveFailed: (err) => {
          options.onSaveError?.(err, req, res); // a throw goes to failed(), like any error of the handler
          if (res.headersSent) return undefined;
          // Replace the held-back response entirely (its Content-Length, Location, cookies…).
          for (const header of res.getHeaderNames()) res.removeHeader(header);
          res.statusCode = 500;
          res.setHeader("content-type", "text/plain; charset=utf-8");
          return "Internal Server Error";
        },
        // Express's own error path (error middleware, else a 500), as for an error thrown by the handler.
        failed: (err) => next(err),
      });
    }
    next();
  };
}

/** Returns the request context `sessionMiddleware()` made for `req` (for `session.save(ctx)` and friends). */
export function expressContext(req: Request): RequestSessions["context"] {
  if (req.sessions === undefined) {
    throw new SessionError(
      "missing_middleware",
      "req.sessions is missing; add app.use(sessionMiddleware()) from typed-sessions/express before this route.",
    );
  }
  return req.sessions.context;
}

export type { RequestSessions, SessionSource } from "../request-sessions.ts";
