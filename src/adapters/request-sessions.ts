import type { RequestContext } from "../http/context.ts";
import { saveAll } from "../session/registry.ts";

/**
 * Anything that loads a session from a request context: `sessions(name, store)` and the generated typed
 * managers (`user.sessions(store)`) both fit, so `get` returns their exact session type.
 */
export interface SessionSource<S> {
  /** Loads (or creates) the session for this request; cached once per request by the registry. */
  get(ctx: RequestContext): Promise<S>;
}

/** The sessions of one request, as the framework adapters expose them (`req.sessions`, `request.sessions`…). */
export interface RequestSessions {
  /** The request context the adapter made: pass it to `session.save(ctx)`, `destroy(ctx)`, `regenerate(ctx)`. */
  readonly context: RequestContext;
  /**
   * Loads the session of `source` for this request, typed as `source` types it.
   * @example const session = await req.sessions.get(user.sessions(store));
   */
  get<S>(source: SessionSource<S>): Promise<S>;
  /** Saves every session loaded in this request that changed (what the adapters' `saveAll` option calls). */
  saveAll(): Promise<void>;
}

/** Wraps a request context as {@link RequestSessions}. */
export function requestSessions(context: RequestContext): RequestSessions {
  return {
    context,
    get: (source) => source.get(context),
    saveAll: () => saveAll(context),
  };
}
