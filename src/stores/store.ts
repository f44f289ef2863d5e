import type { RequestContext } from "../http/context.ts";
import type { Session } from "../session/session.ts";
import type { ErrorHook, SessionConfig } from "../session/session-config.ts";

/**
 * Loads and saves sessions: gorilla/sessions' three-method `Store`, so you can write your own. Prefer
 * `sessions(name, store)`, which caches each session once per request; call a store directly only to build
 * such a layer.
 */
export interface Store {
  /**
   * Loads the session `name` from the request, or returns a new one (`isNew`) when the request has none or
   * its data is tampered with, expired, foreign or corrupt (reported through `onError`, never thrown).
   * Throws `store_unavailable` when the backend cannot be reached. Does not cache: see `sessions()`.
   */
  get(ctx: RequestContext, name: string, config?: SessionConfig): Promise<Session>;
  /** Returns a new, empty session `name` with this store's default options; reads nothing from the request. */
  "new"(ctx: RequestContext, name: string, config?: SessionConfig): Promise<Session>;
  /**
   * Persists the session and sets its cookie; does nothing when `session.needsSave(now)` says so (unchanged
   * and not rolling, or new with nothing stored in it). Keep the session's own `options.maxAge` with its data.
   * A session whose `options.maxAge` is < 0 is deleted instead (cookie expired, server data removed).
   */
  save(ctx: RequestContext, session: Session): Promise<void>;
  /** Deletes the session's server data and expires its cookie. @default saving with maxAge -1 */
  destroy?(ctx: RequestContext, session: Session): Promise<void>;
  /** Moves the session to a new id, deleting the old server data, and saves it. @default re-saving it */
  regenerate?(ctx: RequestContext, session: Session): Promise<void>;
  /**
   * The store's error hook: told of every session that was reset, by the store (tampered, expired, corrupt
   * data) and by `sessions()` (data that failed its schema, with `onInvalid: "reset"`). @default none
   */
  readonly onError?: ErrorHook | undefined;
}

/** A store that keeps data on the server and can forget all of it (what `clearAll()` calls). */
export interface ClearableStore extends Store {
  /** Deletes every session this store holds. */
  clear(): Promise<void>;
}
