// Express is an optional peer dependency: only its types are imported.
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { nodeContext } from "../../http/node.ts";
import { saveCached } from "../../session/registry.ts";
import type { SaveAllOptions } from "../fetch/with-sessions.ts";
import { isServerError } from "../set-cookies.ts";
import { saveBeforeHeaders } from "./save-before-headers.ts";

/** Options of {@link expressSessions}. */
export interface ExpressSessionsOptions extends SaveAllOptions {
  /**
   * With `saveAll`, called when saving fails (e.g. a store is unavailable). The held-back response is then
   * replaced by a 500 unless this hook has already answered (`res.headersSent`).
   * @default respond 500 "Internal Server Error"
   */
  onSaveError?: ((err: unknown, req: Request, res: Response) => void) | undefined;
}

/**
 * Creates an Express middleware that makes each request's context. Handlers get sessions from the request
 * (`await users.get(req)`, with or without this middleware); with `saveAll: true`, every changed session
 * is saved right before the headers go out (the first `res.write`/`res.end`; an explicit `res.writeHead`
 * is held back until then), so handlers need no `session.save()`; the handler meanwhile sees the response
 * as sent, as on node:http. A 5xx response (what a handler that throws gets from Express) saves nothing.
 * @example
 * app.use(expressSessions({ saveAll: true }));
 * app.get("/", async (req, res) => {
 *   const session = await users.get(req);
 *   session.visits += 1;
 *   res.send(`visits: ${session.visits}`);
 * });
 */
export function expressSessions(options: ExpressSessionsOptions = {}): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const ctx = nodeContext(req, res);
    if (options.saveAll === true) {
      // A server error (what a handler that throws ends in) saves nothing: see SaveAllOptions.saveAll.
      saveBeforeHeaders(res, (status) => (isServerError(status) ? Promise.resolve() : saveCached(ctx)), {
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
