// What changed in a session since it was loaded or saved: keys set or deleted, and values changed in place
// (`session.cart.push(item)`). Plain objects and arrays are handed out as tracked views (tracked-view.ts)
// that snapshot their key, in its serializer's form, just before the first write through them; values a view
// cannot watch (Maps, Sets, Dates, class instances, and what `values()` hands out) are snapshotted when handed
// out. A save compares each snapshot with the value's form then: a read that writes nothing costs nothing,
// and a write that leaves the value as it was (`cart.length = cart.length`) writes nothing either.
import { valueForm } from "../serializers/value-form.ts";
import { serializerOf } from "../stores/payload.ts";
import type { SessionState } from "./lifecycle.ts";
import { type ViewOwner, handOut } from "./tracked-view.ts";

/** The serialized form of the value under `key`, as its session's serializer writes it. */
function serializedForm(state: SessionState, key: string, value: unknown): string {
  return valueForm(serializerOf(state.binding.config), key, value);
}

/** Snapshots the value under `key` (once, and not while it counts as changed), to compare at save. */
function snapshot(state: SessionState, key: string): void {
  const value = state.values.get(key);
  if (typeof value !== "object" || value === null || state.snapshots?.has(key) === true || state.changed.has(key)) return;
  (state.snapshots ??= new Map()).set(key, serializedForm(state, key, value));
}

/** The change tracking of one key, for the views of its value. */
function ownerOf(state: SessionState, key: string): ViewOwner {
  state.owners ??= new Map();
  let owner = state.owners.get(key);
  if (owner === undefined) {
    owner = {
      snapshot: () => snapshot(state, key),
      covered: () => state.changed.has(key) || state.snapshots?.has(key) === true,
      views: undefined,
      handler: undefined,
    };
    state.owners.set(key, owner);
  }
  return owner;
}

/**
 * Returns what the handler is handed for the value under `key`: a tracked view of a plain object or array,
 * or the value itself (snapshotted when it is an object a view cannot watch; as it is once the key changed
 * or was snapshotted, the save comparing it then).
 */
export function readValue(state: SessionState, key: string, value: unknown): unknown {
  if (typeof value !== "object" || value === null || state.changed.has(key) || state.snapshots?.has(key) === true) return value;
  return handOut(ownerOf(state, key), value);
}

/** Records that every value was handed out as it is (`values()`, `peekFlashes()`): snapshots compare them at save. */
export function noteReadAll(state: SessionState, keys: Iterable<string> = state.values.keys()): void {
  for (const key of keys) snapshot(state, key);
}

/** Records that `key` was set or deleted (or found changed at save): a change, whatever was handed out. */
export function noteChange(state: SessionState, key: string): void {
  state.changed.add(key);
  state.snapshots?.delete(key);
  state.adopted?.delete(key);
  state.dirty = true;
}

/**
 * Puts a default in the session without changing it (the typed layer's `session.cart` on a session that
 * holds no cart) and returns what to hand out for it: changing it in place is then a change like any other.
 */
export function adoptValue(state: SessionState, key: string, value: unknown): unknown {
  state.values.set(key, value);
  (state.adopted ??= new Set()).add(key);
  return readValue(state, key, value);
}

/** Compares the snapshotted values with what they are now; those that differ become changes. */
export function detectChanges(state: SessionState): void {
  if (state.snapshots === undefined || state.snapshots.size === 0) return;
  for (const [key, before] of state.snapshots) {
    if (serializedForm(state, key, state.values.get(key)) !== before) noteChange(state, key);
  }
}

/**
 * Tells whether the session holds anything but untouched defaults the typed layer put in: a new session
 * holding only those has nothing to save.
 */
export function holdsValues(state: SessionState): boolean {
  return state.values.size > (state.adopted?.size ?? 0);
}

/**
 * After a save: values changed in this request may be held by the handler as they are (set, or handed out
 * once changed), so they are snapshotted to catch a change before a second save; the change set starts over.
 */
export function resetChanges(state: SessionState): void {
  if (state.adopted !== undefined && state.adopted.size > 0) state.adopted.clear(); // saved with the rest: stored values now
  if (state.changed.size === 0) return;
  // Only objects are snapshotted (the handler may hold them); most changes are primitives: no list for those.
  let objects: string[] | undefined;
  for (const key of state.changed) {
    const value = state.values.get(key);
    if (typeof value === "object" && value !== null) (objects ??= []).push(key);
  }
  state.changed.clear();
  if (objects !== undefined) noteReadAll(state, objects);
}

/** Counts every value as changed (`markDirty()`): a save checks them all. */
export function noteAllChanged(state: SessionState): void {
  for (const key of state.values.keys()) {
    state.changed.add(key);
    state.snapshots?.delete(key);
    state.adopted?.delete(key);
  }
}
