// Loads sessions straight through the lifecycle, without the per-request cache of a manager: what the store
// tests call where they once called a store's own get/new (gorilla's Store.Get/New).
import type { RequestContext } from "../../src/http/request-context.ts";
import { bind, freshState, loadState } from "../../src/session/lifecycle.ts";
import type { Session } from "../../src/session/session.ts";
import { SessionObject } from "../../src/session/session-object.ts";
import type { SessionConfig } from "../../src/session/session-config.ts";
import type { Store } from "../../src/stores/store.ts";

/** Loads the session `name` the request carries from `store` (a new object every call). */
export async function loadSession(store: Store, ctx: RequestContext, name: string, config: SessionConfig = {}): Promise<Session> {
  return loadState(bind(name, store, config), ctx, (state) => new SessionObject(state));
}

/** Returns a new, empty session `name` of `store` bound to `ctx`, ignoring the request's cookie. */
export function freshSession(store: Store, ctx: RequestContext, name: string, config: SessionConfig = {}): Session {
  return new SessionObject(freshState(bind(name, store, config), ctx));
}
