// The per-user index of a server store ("log out everywhere"): which sessions belong to one user, so
// `ServerStore.destroyAll(userKey)` can revoke them all. Built on the `SessionBackend` protocol alone, so it
// works on every backend: the index of a user is itself a record of the backend, under an id derived from
// the user key (see `userIndexId`), holding that user's session ids with their expiry times.
import { sha256Base64Url } from "../codec/sha256.ts";
import { SessionError, isSessionError } from "../errors.ts";
import { text } from "../internal/text.ts";
import { KeyedLock } from "../internal/keyed-lock.ts";
import { report } from "../session/report.ts";
import type { ErrorHook, SessionConfig } from "../session/session-config.ts";
import { backendError, withoutIds } from "./backend-error.ts";
import type { SessionBackend } from "./server-store.ts";
import { isValidSessionId } from "./session-id.ts";
import type { RecordWrite } from "./store.ts";

/** The longest user key `SessionConfig.userKey` may return, in UTF-16 code units (it is hashed, never stored). */
export const MAX_USER_KEY_LENGTH = 1024;

/**
 * The most live sessions one user's index holds: a save that would add one more destroys the user's sessions
 * that expire soonest to make room (an app logging in on every request, or a `userKey` that returns one value
 * for everyone, would otherwise grow an index that every save rewrites). At most as many revoked entries are kept.
 */
export const MAX_USER_SESSIONS = 1000;

/**
 * How long, in seconds, the entry of a session `destroyAll` revoked stays in the index: long enough for a
 * save that was creating that session meanwhile to find it revoked and delete what it wrote.
 */
const TOMBSTONE_SECONDS = 600;

/**
 * Seconds an index entry outlives its session at least, for clocks that differ between app servers (entries are
 * pruned on the app's clock): pruning one early could hide a live session from `destroyAll`.
 */
const SKEW_SECONDS = 60;

/** How many sessions' user (and how long their entry lasts) one store remembers, most recent first. */
const KNOWN_SIZE = 4096;

/** How many deletes `destroyAll` runs at once. */
const DELETE_BATCH = 32;

/** The first line of an index record: its format. */
const MAGIC = "tsu1";

/** One entry line: a session id, when the entry expires (Unix seconds), and ` r` once revoked. */
const ENTRY = /^([A-Za-z0-9_-]{43}) (\d{1,15})( r)?$/;

/** Mixed into the hash of a user key, so the derived ids mean nothing outside this use. */
const DOMAIN = "typed-sessions/user-index/v1\0";

/** URL-safe base64's alphabet, in value order. */
const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** Unpaired UTF-16 surrogates: UTF-8 encodes every one of them as U+FFFD, so two such keys would hash alike. */
const LONE_SURROGATE = /\p{Cs}/u;

/** Serializes the updates of one index within the process when the backend has no atomic `modify`. */
const indexLocks = new KeyedLock();

/**
 * Returns the backend id of `userKey`'s index: the SHA-256 of the key (domain-separated) as 43 characters of
 * URL-safe base64, like a session id, so every backend stores it and `clear()` removes it as one of its
 * sessions. It can never be a session id: 32 bytes in base64 end with a character whose two low bits are
 * zero (only 4 of its 6 bits carry data), and this id's last character has its lowest bit set. Any user key
 * (a path, glob characters, 1 KB of text) gives a fixed-length id of safe characters.
 */
export function userIndexId(userKey: string): string {
  const digest = sha256Base64Url(DOMAIN + userKey);
  return digest.slice(0, 42) + BASE64URL[BASE64URL.indexOf(digest.charAt(42)) | 1];
}

/** Tells whether `id` is one {@link userIndexId} derives (never a generated session id). */
export function isUserIndexId(id: string): boolean {
  return isValidSessionId(id) && (BASE64URL.indexOf(id.charAt(42)) & 3) !== 0;
}

/**
 * Returns `key` when it can be a user key: a well-formed string of 1 to {@link MAX_USER_KEY_LENGTH} code
 * units; throws `invalid_user_key` (saying what `what` returned) otherwise.
 */
export function checkUserKey(key: unknown, what: string): string {
  const fix = "return the user's id as a string (or undefined for a session of no user)";
  if (typeof key !== "string") throw new SessionError("invalid_user_key", `${what} is a ${key === null ? "null" : typeof key}, not a string: ${fix}.`);
  if (key.length === 0) throw new SessionError("invalid_user_key", `${what} is an empty string: ${fix}.`);
  if (key.length > MAX_USER_KEY_LENGTH) {
    throw new SessionError("invalid_user_key", `${what} is ${key.length} characters long, over the ${MAX_USER_KEY_LENGTH} allowed: ${fix}, not a whole record.`);
  }
  if (LONE_SURROGATE.test(key)) {
    throw new SessionError("invalid_user_key", `${what} holds an unpaired UTF-16 surrogate, which would hash like other keys: ${fix}, well-formed.`);
  }
  return key;
}

/** One session in an index. */
export interface IndexEntry {
  /** When the entry may be pruned, in Unix seconds: no earlier than the session's data expires. */
  expiresAt: number;
  /** Set by `destroyAll` (and eviction): the session was revoked and must never be written again. */
  revoked: boolean;
}

/**
 * Parses an index record, dropping the entries that expired by `now`; `undefined` (no record) is an empty
 * index. Throws `corrupt_data` for a record this module did not write.
 */
export function parseIndex(data: string | Uint8Array | undefined, now: number): Map<string, IndexEntry> {
  const entries = new Map<string, IndexEntry>();
  if (data === undefined) return entries;
  const lines = (typeof data === "string" ? data : text.latin1Text(data)).split("\n");
  if (lines[0] !== MAGIC) throw corruptIndex("it does not start with the index header");
  for (let i = 1; i < lines.length; i++) {
    const match = ENTRY.exec(lines[i] as string);
    if (match === null || isUserIndexId(match[1] as string)) throw corruptIndex(`line ${i + 1} is not a session entry`);
    const expiresAt = Number(match[2]);
    if (expiresAt > now) entries.set(match[1] as string, { expiresAt, revoked: match[3] !== undefined });
  }
  return entries;
}

/** Formats entries as {@link parseIndex} reads them. */
function formatIndex(entries: ReadonlyMap<string, IndexEntry>): string {
  let text = MAGIC;
  for (const [id, entry] of entries) text += `\n${id} ${entry.expiresAt}${entry.revoked ? " r" : ""}`;
  return text;
}

/** The index record's time to live: until its last entry expires (so no earlier than its longest-lived session). */
function indexTtl(entries: ReadonlyMap<string, IndexEntry>, now: number): number {
  let last = now;
  for (const entry of entries.values()) if (entry.expiresAt > last) last = entry.expiresAt;
  return Math.max(1, Math.ceil(last - now));
}

function corruptIndex(detail: string): SessionError {
  return new SessionError(
    "corrupt_data",
    `the session index of a user is corrupt (${detail}): its sessions cannot be listed. Something other than typed-sessions wrote it; delete that record (or clear() the store) and have the user log in again.`,
  );
}

/** What an index update does: its result, and whether the entries changed (and are to be written). */
interface Change<R> {
  readonly result: R;
  readonly changed: boolean;
}

/** What adding a session to an index found. */
interface Added {
  /** The session was revoked meanwhile (`destroyAll`): it must not be written. */
  readonly revoked: boolean;
  /** The entry is new (not merely extended). */
  readonly added: boolean;
  /** When its entry expires now. */
  readonly until: number;
  /** Sessions revoked to stay within {@link MAX_USER_SESSIONS}: their data is to be deleted. */
  readonly evicted: readonly string[];
}

/** What a store remembers of a session it loaded or saved: the index it is in, and until when its entry lasts (0: unknown). */
interface Known {
  readonly index: string;
  readonly until: number;
}

/**
 * The user index of one {@link ServerStore}: the hooks its load, save, remove and clear call, and
 * `destroyAll`. Every update of an index is one `modify` of its record when the backend has one; otherwise a
 * `read` then a `write`, one at a time per index within the process (several processes can then lose each
 * other's entries).
 *
 * A save of a session whose `SessionConfig.userKey` gives a key adds its id to that user's index before the
 * data is written (a failure fails the save, having written nothing), so a session is never stored unindexed;
 * what it removes (the id a regenerate replaced, the session's entry in the index of the user it had before)
 * goes after the write, and failures there are reported to `onError` (phase `"cleanup"`) without failing the save:
 * they leave an entry of a session that no longer exists, or no longer of that user, until it expires.
 */
export class UserIndex {
  readonly #backend: SessionBackend;
  readonly #now: () => number;
  readonly #onError: ErrorHook | undefined;
  readonly #known = new Map<string, Known>();

  /** Creates the index of `backend`; `now` is the store's clock (Unix seconds), `onError` its error hook. */
  constructor(backend: SessionBackend, now: () => number, onError: ErrorHook | undefined) {
    this.#backend = backend;
    this.#now = now;
    this.#onError = onError;
  }

  /** Remembers the user of a session the store loaded, so its save or destroy can update that user's index. */
  loaded(config: SessionConfig, id: string, values: Readonly<Record<string, unknown>>): void {
    if (config.userKey === undefined) return;
    let key: unknown;
    try {
      key = config.userKey(values);
    } catch {
      key = undefined; // the save calls it again and throws then, on values the handler may have fixed
    }
    let index: string | undefined;
    try {
      index = key === undefined ? undefined : userIndexId(checkUserKey(key, "userKey"));
    } catch {
      index = undefined;
    }
    if (index === undefined) {
      this.#known.delete(id);
      return;
    }
    const known = this.#known.get(id);
    this.#remember(id, index, known?.index === index ? known.until : 0);
  }

  /**
   * Wraps a save's `commit` with the index updates it needs (or returns it as it is when the session has no
   * user and had none); throws `invalid_user_key` now for a bad key, before anything is written.
   * @param ttl the time to live of the session's data, in seconds
   */
  around(write: RecordWrite, ttl: number, commit: () => Promise<boolean>): () => Promise<boolean> {
    const keyOf = write.config.userKey;
    if (keyOf === undefined) return commit;
    const { name, id, config } = write;
    const key = keyOf(write.record.values);
    const index = key === undefined ? undefined : userIndexId(checkUserKey(key, `the userKey of session "${name}"`));
    const old = write.replacing ?? id;
    const before = this.#known.get(old);
    const left = before !== undefined && (before.index !== index || old !== id) ? before.index : undefined;
    if (index === undefined && left === undefined) return commit;
    // A create, or an update the backend cannot refuse for data that is gone, may write a session destroyAll
    // revoked while it ran: it looks again once written.
    const backend = this.#backend;
    const recheck = write.mode === "create" || write.replacing !== undefined || (backend.update === undefined && backend.modify === undefined);
    return async () => {
      let added: Added | undefined;
      if (index !== undefined) {
        const known = this.#known.get(id);
        if (known === undefined || known.index !== index || known.until < Math.ceil(this.#now() + ttl + SKEW_SECONDS)) {
          added = await this.#add(name, index, id, ttl);
          if (added.revoked) return false;
          await this.#deleteAll(added.evicted, (err) => backendError(name, "destroy the oldest sessions of the user of", err, added?.evicted ?? []));
        }
      }
      if (!(await commit())) {
        if (added?.added === true && index !== undefined) await this.#removeQuietly(name, index, id, config);
        return false;
      }
      if (index !== undefined && recheck && (await this.#revokedMeanwhile(name, index, id, config))) return false;
      if (left !== undefined) await this.#removeQuietly(name, left, old, config);
      if (old !== id) this.#known.delete(old);
      if (index === undefined) this.#known.delete(id);
      else this.#remember(id, index, added?.until ?? this.#known.get(id)?.until ?? 0);
      return true;
    };
  }

  /** After the store deleted session `id`: takes it out of its user's index, if this store knows the user. */
  async removed(name: string, id: string): Promise<void> {
    const known = this.#known.get(id);
    if (known === undefined) return;
    this.#known.delete(id);
    await this.#removeQuietly(name, known.index, id, undefined);
  }

  /** After the store was cleared (indexes included): forgets what it knew. */
  cleared(): void {
    this.#known.clear();
  }

  /**
   * Revokes every session in `userKey`'s index: marks their entries revoked (so a save still under way cannot
   * write one back), deletes their data, then keeps the revoked entries only {@link TOMBSTONE_SECONDS} more.
   * Returns how many sessions it revoked (entries that were not revoked already). Safe to repeat after a failure.
   */
  async destroyAll(userKey: string): Promise<number> {
    const index = userIndexId(checkUserKey(userKey, "the userKey given to destroyAll"));
    const fail = (what: string, ids?: readonly string[]) => (err: unknown) =>
      isSessionError(err) && err.kind !== "unavailable"
        ? err
        : new SessionError(
            "store_unavailable",
            `destroyAll could not ${what} (${errorMessage(withoutIds(err, ids ?? []))}); check that the session backend is reachable and writable, then call it again: it is safe to repeat.`,
            { cause: withoutIds(err, ids ?? []) },
          );
    const marked = await this.#update(
      index,
      (entries): Change<{ ids: string[]; count: number }> => {
        const ids: string[] = [];
        let count = 0;
        for (const [id, entry] of entries) {
          if (!entry.revoked) {
            entry.revoked = true;
            count++;
          }
          ids.push(id); // revoked ones too: a destroyAll that failed halfway left their data
        }
        return { result: { ids, count }, changed: count > 0 };
      },
      fail("mark the user's sessions revoked in their index"),
    );
    await this.#deleteAll(marked.ids, (err) => fail("delete the user's sessions", marked.ids)(err));
    for (const id of marked.ids) this.#known.delete(id);
    if (marked.ids.length > 0) {
      await this.#update(
        index,
        (entries, now): Change<undefined> => {
          const until = Math.ceil(now + TOMBSTONE_SECONDS);
          let changed = false;
          for (const id of marked.ids) {
            const entry = entries.get(id);
            if (entry?.revoked === true && entry.expiresAt > until) {
              entry.expiresAt = until;
              changed = true;
            }
          }
          return { result: undefined, changed };
        },
        fail("shorten the revoked entries of the user's index (the sessions are deleted)"),
      );
    }
    return marked.count;
  }

  /** Adds (or extends) the entry of `id`, valid for a session that lives `ttl` seconds from now. */
  #add(name: string, index: string, id: string, ttl: number): Promise<Added> {
    return this.#update(
      index,
      (entries, now): Change<Added> => {
        const entry = entries.get(id);
        if (entry?.revoked === true) return { result: { revoked: true, added: false, until: 0, evicted: [] }, changed: false };
        if (entry !== undefined && entry.expiresAt >= Math.ceil(now + ttl + SKEW_SECONDS)) {
          return { result: { revoked: false, added: false, until: entry.expiresAt, evicted: [] }, changed: false };
        }
        // Headroom past the session's expiry: the saves of the next tenth of its life need not rewrite the index.
        const until = Math.ceil(now + ttl + SKEW_SECONDS + ttl / 10);
        if (entry === undefined) entries.set(id, { expiresAt: until, revoked: false });
        else entry.expiresAt = until;
        return { result: { revoked: false, added: entry === undefined, until, evicted: evict(entries, id) }, changed: true };
      },
      (err) => backendError(name, "index the user of", err, [id]),
    );
  }

  /** After a create: tells whether `destroyAll` revoked `id` while it was written, and then deletes its data. */
  async #revokedMeanwhile(name: string, index: string, id: string, config: SessionConfig): Promise<boolean> {
    try {
      const entry = parseIndex(await this.#backend.read(index), this.#now()).get(id);
      if (entry?.revoked !== true) return false;
      await this.#backend.delete(id);
      return true;
    } catch (err) {
      this.#report(name, backendError(name, "check the user index of", err, [id]), config);
      return false;
    }
  }

  /** Takes `id` out of `index` (unless revoked: that entry is a tombstone); reports failures instead of throwing. */
  async #removeQuietly(name: string, index: string, id: string, config: SessionConfig | undefined): Promise<void> {
    try {
      await this.#update(
        index,
        (entries): Change<undefined> => {
          const entry = entries.get(id);
          if (entry === undefined || entry.revoked) return { result: undefined, changed: false };
          entries.delete(id);
          return { result: undefined, changed: true };
        },
        (err) => backendError(name, "update the user index of", err, [id]),
      );
    } catch (err) {
      this.#report(name, err, config);
    }
  }

  /** Deletes the data of every id in `ids`, {@link DELETE_BATCH} at a time; rethrows the first failure through `fail`. */
  async #deleteAll(ids: readonly string[], fail: (err: unknown) => unknown): Promise<void> {
    try {
      for (let i = 0; i < ids.length; i += DELETE_BATCH) {
        await Promise.all(ids.slice(i, i + DELETE_BATCH).map((id) => this.#backend.delete(id)));
      }
    } catch (err) {
      throw fail(err);
    }
  }

  /**
   * Applies `change` to the index record `index` atomically with the backend's `modify` (it may run more than
   * once: it only changes the entries it is given), else under the process's lock for that index.
   */
  async #update<R>(index: string, change: (entries: Map<string, IndexEntry>, now: number) => Change<R>, fail: (err: unknown) => unknown): Promise<R> {
    const backend = this.#backend;
    try {
      if (backend.modify !== undefined) {
        let outcome: Change<R> | undefined;
        await backend.modify(index, (current) => {
          const now = this.#now();
          const entries = parseIndex(current, now);
          outcome = change(entries, now);
          // An emptied index is written empty, for a second: `modify` has no delete.
          return outcome.changed ? { data: formatIndex(entries), ttlSeconds: indexTtl(entries, now) } : undefined;
        });
        if (outcome === undefined) throw new Error("the backend's modify never called its update function");
        return outcome.result;
      }
      return await indexLocks.run(index, async () => {
        const current = await backend.read(index);
        const now = this.#now();
        const entries = parseIndex(current, now);
        const outcome = change(entries, now);
        if (outcome.changed) {
          if (entries.size === 0) await backend.delete(index);
          else await backend.write(index, formatIndex(entries), indexTtl(entries, now));
        }
        return outcome.result;
      });
    } catch (err) {
      throw fail(err);
    }
  }

  #remember(id: string, index: string, until: number): void {
    this.#known.delete(id); // re-inserted last: the map is in order of use
    if (this.#known.size >= KNOWN_SIZE) {
      const oldest = this.#known.keys().next();
      if (oldest.done !== true) this.#known.delete(oldest.value);
    }
    this.#known.set(id, { index, until });
  }

  #report(name: string, err: unknown, config: SessionConfig | undefined): void {
    const error = err instanceof SessionError ? err : new SessionError("store_unavailable", `updating the user index of session "${name}" failed (${errorMessage(err)}).`, { cause: err });
    report([this.#onError, config?.onError], error, { name, phase: "cleanup" });
  }
}

/**
 * Keeps `entries` within {@link MAX_USER_SESSIONS} live entries (revoking those that expire soonest, never
 * `keep`) and as many revoked ones (dropping those that expire soonest); returns the ids it revoked.
 */
function evict(entries: Map<string, IndexEntry>, keep: string): string[] {
  if (entries.size <= MAX_USER_SESSIONS) return [];
  const live = [...entries].filter(([id, entry]) => !entry.revoked && id !== keep).sort((a, b) => a[1].expiresAt - b[1].expiresAt);
  const over = live.length + 1 - MAX_USER_SESSIONS;
  const evicted: string[] = [];
  for (const [id, entry] of live.slice(0, Math.max(0, over))) {
    entry.revoked = true;
    evicted.push(id);
  }
  const revoked = [...entries].filter(([, entry]) => entry.revoked).sort((a, b) => a[1].expiresAt - b[1].expiresAt);
  for (const [id] of revoked.slice(0, Math.max(0, revoked.length - MAX_USER_SESSIONS))) entries.delete(id);
  return evicted;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
