import type { ClearableStore } from "./store.ts";

const live = new Set<WeakRef<ClearableStore>>();
const finalizer = new FinalizationRegistry<WeakRef<ClearableStore>>((ref) => live.delete(ref));

/** Remembers a server-side store (weakly, so it can still be garbage-collected) for {@link clearAllStores}. */
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

/** Empties every live server-side store; resolves when all have been cleared (rejects with the first failure). */
export async function clearAllStores(): Promise<void> {
  const stores: ClearableStore[] = [];
  for (const ref of live) {
    const store = ref.deref();
    if (store === undefined) live.delete(ref);
    else stores.push(store);
  }
  await Promise.all(stores.map((store) => store.clear()));
}
