// Merging a save into data another request wrote meanwhile: the keys this request changed go on top of the
// data as it is now; every other key keeps what is stored. Flash lists merge by what each request took and
// added, so a flash is neither lost nor shown twice.
import { SessionError } from "../errors.ts";
import type { Serializer } from "../serializers/serializers.ts";
import { valueForm } from "../serializers/value-form.ts";

/** How a merge treats a key both this request and another one changed since this one loaded the data. */
export type ConflictPolicy = "overwrite" | "error";

/** The serialized form of one value: what tells two values apart as stored data. */
function formOf(serializer: Serializer, value: unknown): string {
  return valueForm(serializer, "v", value);
}

function listOf(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

/**
 * Merges flash lists: what this request took from the list it loaded (`flashes()` takes them all) is removed
 * from the list as it is now, and what it added is appended.
 */
function mergeFlashes(serializer: Serializer, current: unknown, base: unknown, ours: unknown): unknown[] {
  const before = listOf(base).map((item) => formOf(serializer, item));
  const after = listOf(ours);
  const afterForms = after.map((item) => formOf(serializer, item));
  const kept = before.length <= afterForms.length && before.every((form, i) => form === afterForms[i]);
  const taken = kept ? [] : before;
  const added = kept ? after.slice(before.length) : after;
  const merged: unknown[] = [];
  const pending = [...taken];
  for (const item of listOf(current)) {
    const at = pending.length === 0 ? -1 : pending.indexOf(formOf(serializer, item));
    if (at >= 0) pending.splice(at, 1);
    else merged.push(item);
  }
  return [...merged, ...added];
}

/**
 * Returns `current` with the keys in `changed` taken from `ours` (deleted where `ours` has none); the keys
 * in `flashKeys` hold flash lists, merged by what this request took and added. `base`, the values this
 * request loaded, tells which keys the other request changed: with `"error"`, a key changed by both rejects
 * with `session_conflict`.
 */
export function mergeValues(
  name: string,
  serializer: Serializer,
  current: Record<string, unknown>,
  base: Record<string, unknown> | undefined,
  ours: Record<string, unknown>,
  changed: ReadonlySet<string>,
  flashKeys: ReadonlySet<string>,
  policy: ConflictPolicy,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...current };
  for (const key of changed) {
    if (flashKeys.has(key) && base !== undefined) {
      const flashes = mergeFlashes(serializer, current[key], base[key], ours[key]);
      if (flashes.length > 0) out[key] = flashes;
      else delete out[key];
      continue;
    }
    if (policy === "error" && base !== undefined && formOf(serializer, base[key]) !== formOf(serializer, current[key])) {
      throw new SessionError(
        "session_conflict",
        `session "${name}" was not saved: another request changed "${key}" since this one loaded it; nothing was written. Load the session again and retry, or use onConflict "overwrite" (the last save wins, key by key).`,
      );
    }
    if (Object.hasOwn(ours, key)) out[key] = ours[key];
    else delete out[key];
  }
  return out;
}
