/** A store that keeps data on the server and can forget all of it. */
interface ClearableStore {
  clear(): Promise<void>;
}

const live = new Set<WeakRef<ClearableStore>>();
const finalizer = new FinalizationRegistry<WeakRef<ClearableStore>>((ref) => live.delete(ref));

/** Remembers a server-side store (weakly, so it can still be garbage-collected) for {@link clearAll}. */
export function registerLiveStore(store: ClearableStore): void {
  const ref = new WeakRef(store);
  live.add(ref);
  finalizer.register(store, ref, ref);
}

/** Forgets a store (after `close()`), so `clearAll()` no longer touches it. */
export function unregisterLiveStore(store: ClearableStore): void {
  for (const ref of live) {
    if (ref.deref() === store) {
      live.delete(ref);
      finalizer.unregister(ref);
    }
  }
}

/**
 * Empties every server-side store created in this process and not closed (files, memory, Redis…), logging
 * everyone out; rejects with the first failure. Cookie sessions are not affected: their data lives in the
 * browser, so the only way to revoke them all is to rotate the keys (drop the old hash key, and every
 * cookie signed with it is refused).
 */
export async function clearAll(): Promise<void> {
  const stores: ClearableStore[] = [];
  for (const ref of live) {
    const store = ref.deref();
    if (store === undefined) live.delete(ref);
    else stores.push(store);
  }
  await Promise.all(stores.map((store) => store.clear()));
}
