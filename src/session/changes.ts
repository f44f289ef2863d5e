// What changed in a session since it was loaded or saved: keys set or deleted, and objects the handler was
// handed and changed in place (`session.cart.push(item)`), found by comparing serialized forms at save.
import { serializerOf } from "../stores/payload.ts";
import type { SessionState } from "./lifecycle.ts";

let unserializable = 0;

/**
 * The serialized form of one value as its session's serializer writes it: what a save would persist of
 * it. A value the serializer refuses gets a form no other equals (the save then reports the refusal).
 */
function serializedForm(state: SessionState, key: string, value: unknown): string {
  const serializer = serializerOf(state.binding.config);
  const one = { [key]: value };
  try {
    if (serializer.stringify !== undefined) return serializer.stringify(one);
    const bytes = serializer.serialize(one);
    let text = "";
    for (let i = 0; i < bytes.length; i += 8192) text += String.fromCharCode(...bytes.subarray(i, i + 8192));
    return text;
  } catch {
    return `\u0000unserializable ${++unserializable}`;
  }
}

function isMutable(value: unknown): value is object {
  return typeof value === "object" && value !== null;
}

/** Records that the handler was handed the value under `key`: an object is snapshotted once, to compare at save. */
export function noteRead(state: SessionState, key: string, value: unknown): void {
  if (isMutable(value) && !state.snapshots.has(key) && !state.changed.has(key)) {
    state.snapshots.set(key, serializedForm(state, key, value));
  }
}

/** Records that every value was handed out (`values()`, `toJSON()`). */
export function noteReadAll(state: SessionState): void {
  for (const [key, value] of state.values) noteRead(state, key, value);
}

/** Records that `key` was set or deleted: a change, whatever its value was handed out as. */
export function noteChange(state: SessionState, key: string): void {
  state.changed.add(key);
  state.snapshots.delete(key);
  state.adopted.delete(key);
  state.dirty = true;
}

/**
 * Puts a default in the session without changing it (the typed layer's `session.cart` on a session that
 * holds no cart): mutating the returned object is then a change like any other.
 */
export function adoptValue(state: SessionState, key: string, value: unknown): void {
  state.values.set(key, value);
  state.adopted.add(key);
  noteRead(state, key, value);
}

/** Compares the snapshotted values with what they are now; those that differ become changes. */
export function detectChanges(state: SessionState): void {
  if (state.snapshots.size === 0) return;
  for (const [key, before] of state.snapshots) {
    if (serializedForm(state, key, state.values.get(key)) !== before) noteChange(state, key);
  }
}

/**
 * Tells whether the session holds anything but untouched defaults the typed layer put in: a new session
 * holding only those has nothing to save.
 */
export function holdsValues(state: SessionState): boolean {
  return state.values.size > state.adopted.size;
}

/**
 * After a save: objects changed or set in this request may still be changed by the handler before a second
 * save, so they are snapshotted again; the change set starts over.
 */
export function resetChanges(state: SessionState): void {
  if (state.adopted.size > 0) state.adopted.clear(); // saved with the rest: stored values now
  if (state.changed.size === 0) return;
  const changed = [...state.changed];
  state.changed.clear();
  for (const key of changed) {
    if (state.values.has(key)) noteRead(state, key, state.values.get(key));
  }
}

/** Counts every value as changed (`markDirty()`): a save checks them all. */
export function noteAllChanged(state: SessionState): void {
  for (const key of state.values.keys()) {
    state.changed.add(key);
    state.snapshots.delete(key);
    state.adopted.delete(key);
  }
}
