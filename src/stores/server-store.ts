import * as crypto from "node:crypto";
import type { Codec } from "../codec/codec.ts";
import { SessionError } from "../errors.ts";
import type { SessionConfig } from "../session/session-config.ts";
import { backendError } from "./backend-error.ts";
import { registerLiveStore, unregisterLiveStore } from "./live-stores.ts";
import { mergeValues } from "./merge.ts";
import { decodePayload, encodePayload, loadedRecord, serializerOf } from "./payload.ts";
import { generateSessionId, isValidSessionId } from "./session-id.ts";
import type { LoadedRecord, PreparedWrite, RecordWrite } from "./store.ts";
import { StoreBase } from "./store-base.ts";
import { UserIndex } from "./user-index.ts";
import { type KeyUseReporter, type StoreOptions, codecFor, codecMaxAge, keyUseReporter } from "./store-options.ts";

/**
 * Where a server-side store keeps session data: implement these four methods to add a backend (files,
 * Redis, a database) and pass it to {@link ServerStore}. Ids are checked against `SESSION_ID_PATTERN`
 * before any call. Throw freely: errors become `store_unavailable` (a decode `SessionError` you throw, such
 * as `corrupt_data`, gives a fresh session instead).
 */
export interface SessionBackend {
  /** Returns the data written for `id`, or `undefined` when there is none or it has expired. */
  read(id: string): Promise<Uint8Array | string | undefined>;
  /** Stores `data` (codec output, ASCII) for `id`, replacing any, to expire after `ttlSeconds`. */
  write(id: string, data: string, ttlSeconds: number): Promise<void>;
  /**
   * Like `write`, but only while `id` still has data; returns `false`, writing nothing, when it has none
   * (destroyed or cleared since it was read; a backend may count expired data as none too). Saves of loaded
   * sessions use it, so a request that was still running when another one logged the user out cannot
   * bring the session back.
   * @default `write` (a destroyed session can then be written back by such a request)
   */
  update?(id: string, data: string, ttlSeconds: number): Promise<boolean>;
  /** Deletes the data for `id`; deleting nothing is not an error. */
  delete(id: string): Promise<void>;
  /** Deletes every session of this backend. */
  clear(): Promise<void>;
  /** Releases timers and connections. @default nothing */
  close?(): Promise<void>;
  /**
   * Writes `data` under `newId` and deletes `oldId` atomically (what `regenerate` uses, so the session never
   * exists under both ids). @default `write(newId)`, then `delete(oldId)`
   */
  replace?(oldId: string, newId: string, data: string, ttlSeconds: number): Promise<void>;
  /**
   * Replaces the data of `id` with what `next` makes of the data stored now, atomically: no other write or
   * delete of `id` (in this process, or another one sharing the backend) lands between the read `next` is
   * given and the write of what it returns. `next` gets the stored data (`undefined` when there is none or
   * it expired) and returns the data to write with its time to live, or `undefined` to write nothing; it is
   * synchronous and may be called more than once (an optimistic backend retries when the data moved
   * meanwhile). Resolves whether it wrote. Saves of loaded sessions use it to write the keys a request
   * changed on top of the data as it is now, so concurrent requests that change different keys both
   * persist. `expected`, when given, is the data the caller last saw stored: an optimistic backend may try
   * `next(expected)` first, as one compare-and-set, and read only when the data moved (the common case,
   * nobody else wrote, then costs one round trip). @default `read`, then `update` (concurrent saves then
   * overwrite each other's keys)
   */
  modify?(
    id: string,
    next: (current: string | undefined) => { readonly data: string; readonly ttlSeconds: number } | undefined,
    expected?: string,
  ): Promise<boolean>;
  /**
   * Moves the expiry of `id`'s data to `ttlSeconds` from now without rewriting it; resolves `false`, doing
   * nothing, when `id` has no data. Refreshes that change nothing but the expiry (rolling sessions, idle
   * timeouts) use it. @default the data is rewritten
   */
  touch?(id: string, ttlSeconds: number): Promise<boolean>;
  /**
   * Like `read`, and tells when the data expires, in Unix seconds (what the last write or `touch` set).
   * Sessions whose idleness is checked (an idle timeout, a browser-session cookie) are read with it, so a
   * `touch` counts as an access and their refreshes move the expiry instead of rewriting the data.
   * @default `read` (such sessions then rewrite their data to refresh it)
   */
  readWithExpiry?(id: string): Promise<{ readonly data: Uint8Array | string; readonly expiresAt: number } | undefined>;
}

/**
 * Tells whether sessions of `config` have their idleness checked against the stored access time (an idle
 * timeout, or a browser-session cookie by default), so their loads want the data's expiry.
 */
function measuresIdleness(config: SessionConfig, cookie: { readonly maxAge: number }): boolean {
  return (config.idleTimeout ?? 0) > 0 || (config.cookie?.maxAge ?? cookie.maxAge) === 0;
}

/** Options of {@link ServerStore}. */
export type ServerStoreOptions = StoreOptions & {
  /** The longest encoded session data, in characters; 0 = no limit (data is not a cookie). @default 0 */
  maxLength?: number | undefined;
};

/** The longest `Set-Cookie` header of a server store's id cookie, in bytes: what browsers keep. */
const ID_COOKIE_LIMIT = 4096;

/**
 * The shared base of server-side stores: the cookie carries only a random id (32 bytes, signed by the
 * codec), and the backend holds the codec-encoded values (encrypted at rest with a block key), expiring
 * after the time the lifecycle asks for (`RecordWrite.ttl`: the session's `maxAge`, or its definition's
 * `sessionCookieLifetime` when that is 0). Every instance is emptied by
 * `clearAll()`.
 * @example
 * const store = new ServerStore(myBackend, { hashKey, blockKey, cookie: { maxAge: 3600 } });
 */
export class ServerStore extends StoreBase {
  /** Where the data lives. */
  readonly backend: SessionBackend;
  /** The longest `Set-Cookie` header of the id cookie, in bytes. */
  readonly cookieLimit = ID_COOKIE_LIMIT;
  readonly #cookieCodec: Codec;
  readonly #dataCodec: Codec;
  readonly #keyUse: KeyUseReporter | undefined;
  /** id → its session name, {@link dataName} and its bytes, bounded by {@link DATA_NAME_CACHE_SIZE}. */
  readonly #dataNames = new Map<string, { readonly name: string; readonly dataName: string; readonly bytes: Buffer }>();
  /** The sessions of each user (`SessionConfig.userKey`), for {@link ServerStore.destroyAll}. */
  readonly #users: UserIndex;

  /** Creates the store; throws a usage error for missing or malformed keys. */
  constructor(backend: SessionBackend, options: ServerStoreOptions) {
    super(options);
    this.backend = backend;
    const maxAge = codecMaxAge(this.cookie);
    const now = () => this.now();
    this.#cookieCodec = codecFor(options, { maxAge, maxLength: ID_COOKIE_LIMIT, now });
    // The data's signed timestamp may lag its cookie's by up to one maxAge: a refresh that only moves the
    // expiry (touch) re-signs the cookie but leaves the data as written (see the lifecycle's onlyExpiryMoves).
    this.#dataCodec = codecFor(options, { maxAge: maxAge * 2, maxLength: options.maxLength ?? 0, now });
    this.#keyUse = keyUseReporter(options);
    this.#users = new UserIndex(backend, now, this.onError);
    registerLiveStore(this);
  }

  /** Returns a new session id (32 random bytes). */
  newId(): string {
    return generateSessionId();
  }

  /** Loads the data of the id the cookie carries; throws decode errors for anything untrusted or missing. */
  async load(name: string, cookieValue: string, config: SessionConfig): Promise<LoadedRecord> {
    const decoded = this.#cookieCodec.decodeWithKeyIndex(name, cookieValue);
    const bytes = decoded.value as Uint8Array;
    const id = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
    if (!isValidSessionId(id)) {
      throw new SessionError("invalid_session_id", `the cookie of session "${name}" carries a malformed id; it was refused.`);
    }
    const backend = this.backend;
    let data: Uint8Array | string | undefined;
    let expiresAt: number | undefined;
    if (backend.readWithExpiry !== undefined && measuresIdleness(config, this.cookie)) {
      const found = await this.#call(name, "read", [id], () => backend.readWithExpiry!(id));
      data = found?.data;
      expiresAt = found?.expiresAt;
    } else {
      data = await this.#call(name, "read", [id], () => backend.read(id));
    }
    if (data === undefined) {
      throw new SessionError("unknown_session", `session "${name}" has no stored data (expired, destroyed or cleared); a fresh session was started.`);
    }
    const text = typeof data === "string" ? data : Buffer.from(data).toString("latin1");
    const stored = this.#dataCodec.decodeWithKeyIndex(this.#dataName(name, id), text);
    const record = loadedRecord(name, config, stored, id, decoded.keyIndex > 0, text, expiresAt);
    if (this.#keyUse !== undefined) {
      this.#keyUse(name, decoded.keyIndex, "cookie");
      this.#keyUse(name, stored.keyIndex, "data");
    }
    this.#users.loaded(config, id, record.values);
    return record;
  }

  /**
   * Encodes the signed id cookie and the data; the returned commit writes the data (creates it, updates it
   * only while it exists, or takes over `replacing`'s atomically where the backend can). An update through a
   * backend with `modify` writes the keys the request changed on top of the data as it is now (flash lists
   * merged, `onConflict` applied); without `modify` it replaces the data whole.
   */
  prepare(write: RecordWrite): PreparedWrite {
    const { name, id, replacing } = write;
    if (!isValidSessionId(id)) {
      throw new SessionError("invalid_option", `session "${name}" has an id that does not match SESSION_ID_PATTERN; it was not saved.`);
    }
    const known = this.#known(name, id);
    const cookieValue = this.#cookieCodec.encode(name, known.bytes);
    const data = this.#dataCodec.encode(known.dataName, encodePayload(name, serializerOf(write.config), write.record));
    const ttl = this.#ttlOf(write);
    const backend = this.backend;
    const ids = replacing === undefined ? [id] : [id, replacing];
    const commit = async (): Promise<boolean> => {
      if (replacing !== undefined && isValidSessionId(replacing)) {
        if (backend.replace !== undefined) {
          await this.#call(name, "write", ids, () => backend.replace!(replacing, id, data, ttl));
        } else {
          await this.#call(name, "write", ids, () => backend.write(id, data, ttl));
          await this.#call(name, "delete", [replacing], () => backend.delete(replacing));
        }
        return true;
      }
      if (write.mode === "update" && backend.modify !== undefined) {
        written = undefined;
        const wrote = await this.#call(name, "write", ids, () =>
          backend.modify!(id, (current) => {
            if (current === undefined) return undefined; // destroyed meanwhile: a logout sticks
            const next = current === write.revision || write.changed === undefined ? data : this.#merged(write, current);
            written = next;
            return { data: next, ttlSeconds: ttl };
          }, write.revision),
        );
        if (!wrote) written = undefined;
        return wrote;
      }
      if (write.mode === "update" && backend.update !== undefined) {
        return this.#call(name, "write", ids, () => backend.update!(id, data, ttl));
      }
      await this.#call(name, "write", ids, () => backend.write(id, data, ttl));
      return true;
    };
    let written: string | undefined = data;
    return { cookieValue, commit: this.#users.around(write, ttl, commit), revision: () => written };
  }

  /**
   * Prepares a refresh that only moves the expiry of unchanged data, through the backend's `touch` (the
   * data is neither encoded nor rewritten; the id cookie is re-signed, so its own expiry moves too);
   * `undefined` when the backend has no `touch`.
   */
  touch(write: RecordWrite): PreparedWrite | undefined {
    const { name, id } = write;
    const backend = this.backend;
    if (backend.touch === undefined || !isValidSessionId(id)) return undefined;
    const cookieValue = this.#cookieCodec.encode(name, Buffer.from(id, "latin1"));
    const ttl = this.#ttlOf(write);
    return {
      cookieValue,
      commit: this.#users.around(write, ttl, () => this.#call(name, "write", [id], () => backend.touch!(id, ttl))),
      revision: () => write.revision,
    };
  }

  /** How long the data of `write` is to live, in seconds. */
  #ttlOf(write: RecordWrite): number {
    return write.ttl !== undefined && write.ttl > 0 ? write.ttl : write.cookie.maxAge > 0 ? write.cookie.maxAge : codecMaxAge(this.cookie);
  }

  /**
   * The data to write when another request saved the session since this one loaded it: the data as it is
   * now (`current`), with the keys this request changed taken from its record (flash lists merged by what
   * each took and added; with `onConflict: "error"`, a key both changed rejects with `session_conflict`).
   * Data that no longer decodes (another key, a corrupt entry) is replaced whole.
   */
  #merged(write: RecordWrite, current: string): string {
    const { name, id, config, record } = write;
    const serializer = serializerOf(config);
    const dataName = this.#dataName(name, id);
    const read = (text: string | undefined): Record<string, unknown> | undefined => {
      if (text === undefined) return undefined;
      try {
        return decodePayload(name, serializer, this.#dataCodec.decode(dataName, text) as Uint8Array).values;
      } catch {
        return undefined;
      }
    };
    const now = read(current);
    const values =
      now === undefined
        ? record.values
        : mergeValues(name, serializer, now, read(write.revision), record.values, write.changed as ReadonlySet<string>, write.flashKeys ?? NO_KEYS, config.onConflict ?? "overwrite");
    return this.#dataCodec.encode(dataName, encodePayload(name, serializer, { ...record, values }));
  }

  /** Deletes the data of `id`. */
  async remove(name: string, id: string): Promise<void> {
    if (isValidSessionId(id)) await this.#call(name, "delete", [id], () => this.backend.delete(id));
    await this.#users.removed(name, id);
  }

  /** Deletes every session of this store (what `clearAll()` calls). */
  async clear(): Promise<void> {
    await this.#call("*", "clear", [], () => this.backend.clear());
    this.#users.cleared();
  }

  /**
   * Logs one user out everywhere (a password change, a ban): deletes every session of this store's backend
   * whose definition's `SessionConfig.userKey` gave `userKey` when it was last saved; their cookies then load
   * as fresh sessions. A save still under way cannot bring one back, and a session created while this runs
   * is either revoked or left indexed for the next call. Returns how many sessions it revoked. Rejects with
   * `invalid_user_key` for a key no `userKey` could return, `store_unavailable` when the backend fails (safe
   * to call again), `corrupt_data` for an index record something else wrote.
   * @example
   * await store.destroyAll(user.id); // after a password change; then regenerate the current session
   */
  destroyAll(userKey: string): Promise<number> {
    return this.#users.destroyAll(userKey);
  }

  /** Releases the backend's timers and connections; `clearAll()` no longer sees this store. */
  async close(): Promise<void> {
    unregisterLiveStore(this);
    await this.backend.close?.();
  }

  /** Runs one backend call, turning its failures into the store's errors (no async wrapper: one promise less a call). */
  #call<T>(name: string, operation: string, ids: readonly string[], run: () => Promise<T>): Promise<T> {
    let call: Promise<T>;
    try {
      call = run();
    } catch (err) {
      return Promise.reject(backendError(name, operation, err, ids));
    }
    return Promise.resolve(call).then(undefined, (err: unknown) => {
      throw backendError(name, operation, err, ids);
    });
  }

  /**
   * Returns {@link dataName} of `id`, from a small cache: a request usually loads and saves the same
   * session, so its digest is computed once, not on every read and write.
   */
  #dataName(name: string, id: string): string {
    return this.#known(name, id).dataName;
  }

  /** The cache entry of {@link ServerStore.#dataName}: the data name of `id` and its bytes (for the cookie). */
  #known(name: string, id: string): { readonly dataName: string; readonly bytes: Buffer } {
    const cached = this.#dataNames.get(id);
    if (cached !== undefined && cached.name === name) return cached;
    const entry = { name, dataName: dataName(name, id), bytes: Buffer.from(id, "latin1") };
    if (this.#dataNames.size >= DATA_NAME_CACHE_SIZE) this.#dataNames.clear();
    this.#dataNames.set(id, entry);
    return entry;
  }
}

/** Node's one-shot digest (Node ≥ 20.12), cheaper than `createHash` for one short input. */
const oneShot = (crypto as unknown as { hash?: (algorithm: string, data: string, encoding: "base64url") => string }).hash;

/** No keys. */
const NO_KEYS: ReadonlySet<string> = new Set();

/** How many data names {@link ServerStore} keeps (then it starts over). */
const DATA_NAME_CACHE_SIZE = 1024;

/**
 * The codec name session data is signed under: binds the data to its session name and id (so a file
 * copied under another id is refused), without putting the id itself, a bearer secret, in error messages.
 */
function dataName(name: string, id: string): string {
  const digest = oneShot === undefined ? crypto.createHash("sha256").update(id).digest("base64url") : oneShot("sha256", id, "base64url");
  return `${name}#${digest.slice(0, 16)}`;
}
