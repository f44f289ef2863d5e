import { SessionError, SessionValidationError } from "../errors.ts";
import type { RequestContext } from "../http/context.ts";
import { assertCookieName } from "../http/cookie-options.ts";
import { registrySession } from "./registry.ts";
import type { Session } from "./session.ts";
import type { SessionConfig } from "./session-config.ts";
import type { Store } from "../stores/store.ts";
import { clearAllStores } from "../stores/live-stores.ts";
import { report } from "../stores/store-options.ts";

/** One session definition bound to a store: what `sessions(name, store)` returns. */
export interface SessionManager {
  /** The cookie name. */
  readonly name: string;
  /** Where the sessions live. */
  readonly store: Store;
  /** The definition's config (serializer, validate, timeouts, options). */
  readonly config: SessionConfig;
  /**
   * Returns this request's session, loading it once per request (later calls return the same object).
   * Tampered, expired or invalid data gives a fresh session (reported through `onError`).
   */
  get(ctx: RequestContext): Promise<Session>;
}

/**
 * Defines a session: a cookie name, the store that keeps it, and how its values are read. The seed's
 * Iris-style API.
 * @example
 * const mySessions = sessions("user_sessions", new CookieStore({ hashKey }));
 * const session = await mySessions.get(ctx);
 * session.set("name", "kataras");
 * await session.save(ctx);
 */
export function sessions(name: string, store: Store, config: SessionConfig = {}): SessionManager {
  assertCookieName(name);

  async function load(ctx: RequestContext): Promise<Session> {
    const session = await store.get(ctx, name, config);
    if (session.isNew || config.validate === undefined) return session;
    try {
      session.replaceValues(config.validate(session.values()));
      return session;
    } catch (cause) {
      if (config.onInvalid === "throw") throw cause;
      const err =
        cause instanceof SessionError
          ? cause
          : new SessionValidationError(`the data of session "${name}" failed validation; a fresh session was started.`, [], { cause });
      report(store.onError, config, err, { name, phase: "validate" });
      return store.new(ctx, name, config);
    }
  }

  return {
    name,
    store,
    config,
    get: (ctx) => registrySession(ctx, name, store, () => load(ctx)),
  };
}

/**
 * Empties every server-side store created in this process (files, memory, Redis…), logging everyone out.
 * Cookie sessions are not affected: their data lives in the browser, so the only way to revoke them all
 * is to rotate the keys (drop the old hash key, and every cookie signed with it is refused).
 */
export async function clearAll(): Promise<void> {
  await clearAllStores();
}
