import { type RequestSource, resolveContext } from "../http/context-source.ts";
import type { NodeResponseLike } from "../http/node.ts";
import type { RequestContext } from "../http/request-context.ts";
import type { Store } from "../stores/store.ts";
import { type Binding, type SessionState, bind, loadState } from "./lifecycle.ts";
import { type Savable, cachedSession, handledRejection, saveCached } from "./registry.ts";
import type { Session } from "./session.ts";
import { SessionObject } from "./session-object.ts";
import type { SessionConfig } from "./session-config.ts";

/** One session definition bound to a store: what `sessions(name, store)` and generated modules return. */
export interface SessionManager<S = Session> {
  /** The cookie name. */
  readonly name: string;
  /**
   * Returns this request's session, loading it once per request (later calls return the same object).
   * Tampered, expired or invalid data gives a fresh session (reported through `onError`).
   * @param source the request: a node `(req, res)` pair, an Express `req`, a Fastify `request` or `reply`,
   *   a Hono `c`, a Fetch `Request`, or a request context
   */
  get(source: RequestSource, res?: NodeResponseLike): Promise<S>;
}

/**
 * Creates a session manager: a cookie name, the store that keeps its sessions, and how its values are
 * read. The seed's Iris-style API.
 * @example
 * const mySessions = sessions("user_sessions", new CookieStore({ hashKey }));
 * const session = await mySessions.get(req, res);
 * session.set("name", "kataras");
 * await session.save();
 */
export function sessions(name: string, store: Store, config: SessionConfig = {}): SessionManager {
  return managerOf(name, store, config, asSession);
}

/** The view of a plain manager's sessions: the session itself. */
function asSession(session: Session): Session {
  return session;
}

/**
 * A manager: its methods on the prototype, and its load a function made once per manager, so that a
 * request's `get` makes no closure and managers made later (another session name, a test's new manager)
 * do not turn call sites the JIT saw with one manager's functions polymorphic.
 */
class Manager<S extends Savable> implements SessionManager<S> {
  readonly name: string;
  readonly #store: Store;
  readonly #binding: Binding;
  readonly #wrap: (session: Session) => S;
  /** Loads this request's session: what the registry calls the first time a request asks for it. */
  readonly #load = (ctx: RequestContext): S | Promise<S> => loadState(this.#binding, ctx, this.#wrapState);
  readonly #wrapState = (state: SessionState): S => this.#wrap(new SessionObject(state));

  constructor(name: string, store: Store, config: SessionConfig, wrap: (session: Session) => S) {
    this.name = name;
    this.#store = store;
    this.#binding = bind(name, store, config);
    this.#wrap = wrap;
  }

  get(source: RequestSource, res?: NodeResponseLike): Promise<S> {
    let ctx: RequestContext;
    try {
      ctx = resolveContext(source, res);
    } catch (err) {
      return handledRejection(err);
    }
    return cachedSession(ctx, this.name, this.#store, this.#load);
  }
}

/** Builds a manager whose sessions are `wrap`'s view of each loaded {@link Session}. */
export function managerOf<S extends Savable>(
  name: string,
  store: Store,
  config: SessionConfig,
  wrap: (session: Session) => S,
): SessionManager<S> {
  return new Manager(name, store, config, wrap);
}

/**
 * Saves every session loaded in this request that changed (skipping destroyed ones), in parallel; rejects
 * with the first failure after all have been tried. Call it once before sending the response (the
 * adapters' `saveAll` option does).
 * @param source the request, as {@link SessionManager.get} takes it
 * @example
 * await saveAll(req, res);
 * res.end("ok");
 */
export function saveAll(source: RequestSource, res?: NodeResponseLike): Promise<void> {
  try {
    return saveCached(resolveContext(source, res));
  } catch (err) {
    return Promise.reject(err);
  }
}
