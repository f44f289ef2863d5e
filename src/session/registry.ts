import { SessionError } from "../errors.ts";
import { ObjectSlot } from "../internal/object-slot.ts";
import { CookieContext, type RequestContext } from "../http/request-context.ts";
import type { Store } from "../stores/store.ts";

interface Entry {
  readonly store: Store;
  /** The session as its manager returns it (a `Session`, or a typed wrapper of one). */
  readonly session: Promise<Savable>;
}

/** What the registry needs of a cached session. */
export interface Savable {
  readonly isDestroyed: boolean;
  save(): Promise<void>;
}

/**
 * One request's sessions by name: the first in two fields (most requests load one session), any other in a
 * Map made on first use. A Map per request cost about 170 bytes and its setup on every request.
 */
class Entries {
  #firstName: string | undefined;
  #first: Entry | undefined;
  #others: Map<string, Entry> | undefined;

  get(name: string): Entry | undefined {
    return name === this.#firstName ? this.#first : this.#others?.get(name);
  }

  set(name: string, entry: Entry): void {
    if (name === this.#firstName || (this.#firstName === undefined && this.#others?.has(name) !== true)) {
      this.#firstName = name;
      this.#first = entry;
    } else (this.#others ??= new Map()).set(name, entry);
  }

  delete(name: string): void {
    if (name !== this.#firstName) {
      this.#others?.delete(name);
      return;
    }
    this.#firstName = undefined;
    this.#first = undefined;
  }

  values(): Entry[] {
    const others = this.#others === undefined ? [] : [...this.#others.values()];
    return this.#first === undefined ? others : [this.#first, ...others];
  }
}

/** The sessions of requests whose context is not one of the library's, attached to `ctx.request`. */
const registries = new ObjectSlot<Entries>("typed-sessions.registry");

/**
 * Returns this request's sessions by name: the library's contexts keep them (one context per request);
 * another context's are attached to its `request` (so they live exactly as long as the request).
 */
function entriesOf(ctx: RequestContext, create: boolean): Entries | undefined {
  if (ctx instanceof CookieContext) {
    if (ctx.cache === undefined && create) ctx.cache = new Entries();
    return ctx.cache as Entries | undefined;
  }
  let entries = registries.get(ctx.request);
  if (entries === undefined && create) {
    entries = new Entries();
    registries.set(ctx.request, entries);
  }
  return entries;
}

/**
 * Returns the session `name` of this request, loading it with `load` the first time only: every later
 * call in the same request gets the same object, even while loading. Rejects with `invalid_option` when
 * two stores use the same session name in one request. A failed load is not cached, so a retry can succeed.
 * `load` may answer at once (node:crypto's cookie store): the session then costs one settled promise.
 */
export function cachedSession<S extends Savable>(ctx: RequestContext, name: string, store: Store, load: (ctx: RequestContext) => S | Promise<S>): Promise<S> {
  const entries = entriesOf(ctx, true) as Entries;
  const cached = entries.get(name);
  if (cached !== undefined) {
    if (cached.store !== store) {
      return handledRejection(
        new SessionError(
          "invalid_option",
          `two stores were asked for a session named "${name}" in one request; give each session definition its own cookie name.`,
        ),
      );
    }
    return cached.session as Promise<S>;
  }
  let loaded: S | Promise<S>;
  try {
    loaded = load(ctx);
  } catch (err) {
    return handledRejection(err);
  }
  if (!(loaded instanceof Promise)) {
    const session = Promise.resolve(loaded);
    entries.set(name, { store, session });
    return session;
  }
  const session = loaded;
  entries.set(name, { store, session });
  // Drops a failed load (so a retry loads again) and marks the rejection handled, on the very promise
  // handed out: a caller that starts a load and awaits it later must not trip an unhandled rejection.
  session.catch(() => {
    if (entries.get(name)?.session === session) entries.delete(name);
  });
  return session;
}

/**
 * A promise rejected with `err`, marked handled: what `get()` hands out for a failure, as for a failed load,
 * so a caller may start it now and await it later (a `get` is awaited; its rejection is never lost).
 */
export function handledRejection(err: unknown): Promise<never> {
  const failed = Promise.reject(err);
  failed.catch(ignore);
  return failed;
}

function ignore(): void {}

/**
 * Saves every session loaded in this request (skipping destroyed and unchanged ones), in parallel; rejects
 * with the first failure after all have been tried.
 */
export async function saveCached(ctx: RequestContext): Promise<void> {
  const entries = entriesOf(ctx, false);
  if (entries === undefined) return;
  const loaded = await Promise.allSettled(entries.values().map((entry) => entry.session));
  const saves = loaded.flatMap((result) =>
    result.status === "fulfilled" && !result.value.isDestroyed ? [result.value.save()] : [],
  );
  const results = await Promise.allSettled(saves);
  const failure = results.find((result): result is PromiseRejectedResult => result.status === "rejected");
  if (failure !== undefined) throw failure.reason;
}
