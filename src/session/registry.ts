import { SessionError } from "../errors.ts";
import { ObjectSlot } from "../internal/object-slot.ts";
import type { RequestContext } from "../http/context.ts";
import type { Session } from "./session.ts";
import type { Store } from "../stores/store.ts";

interface Entry {
  readonly store: Store;
  readonly session: Promise<Session>;
}

/** Each request's sessions by name, attached to `ctx.request` (so they live exactly as long as the request). */
const registries = new ObjectSlot<Map<string, Entry>>("typed-sessions.registry");

function entriesOf(ctx: RequestContext): Map<string, Entry> {
  let entries = registries.get(ctx.request);
  if (entries === undefined) {
    entries = new Map();
    registries.set(ctx.request, entries);
  }
  return entries;
}

/**
 * Returns the session `name` of this request, loading it with `load` the first time only: every later
 * call in the same request (keyed weakly by `ctx.request`) gets the same object, even while loading.
 * Rejects with `invalid_option` when two stores use the same session name in one request.
 */
export function registrySession(ctx: RequestContext, name: string, store: Store, load: () => Promise<Session>): Promise<Session> {
  const entries = entriesOf(ctx);
  const cached = entries.get(name);
  if (cached !== undefined) {
    if (cached.store !== store) {
      return Promise.reject(
        new SessionError(
          "invalid_option",
          `two stores were asked for a session named "${name}" in one request; give each session definition its own cookie name.`,
        ),
      );
    }
    return cached.session;
  }
  const session = load();
  entries.set(name, { store, session });
  // A failed load (backend down) is not cached, so a retry in the same request can succeed.
  session.catch(() => {
    if (entries.get(name)?.session === session) entries.delete(name);
  });
  return session;
}

/** Returns the sessions loaded so far in this request, in load order. */
export async function registrySessions(ctx: RequestContext): Promise<Session[]> {
  const entries = registries.get(ctx.request);
  if (entries === undefined) return [];
  const settled = await Promise.allSettled([...entries.values()].map((entry) => entry.session));
  return settled.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
}

/**
 * Saves every session loaded in this request (skipping destroyed and unchanged ones), in parallel; rejects
 * with the first failure after all have been tried. Call it once before sending the response.
 * @example
 * await saveAll(ctx);
 * res.end("ok");
 */
export async function saveAll(ctx: RequestContext): Promise<void> {
  const sessions = (await registrySessions(ctx)).filter((session) => !session.isDestroyed);
  const results = await Promise.allSettled(sessions.map((session) => session.save(ctx)));
  const failure = results.find((result): result is PromiseRejectedResult => result.status === "rejected");
  if (failure !== undefined) throw failure.reason;
}
