import { type Codec, type DecodeResult, createCodec } from "../codec/codec.ts";
import { type WebCryptoCodec, createWebCryptoCodec } from "../codec/web-codec.ts";
import { sha256Base64Url } from "../codec/sha256.ts";
import { SessionError } from "../errors.ts";
import { text } from "../internal/text.ts";
import type { SessionConfig } from "../session/session-config.ts";
import { KeyedLock } from "../internal/keyed-lock.ts";
import { backendError } from "./backend-error.ts";
import { EncodedMemo } from "./encoded-memo.ts";
import { registerLiveStore, unregisterLiveStore } from "./live-stores.ts";
import { mergeValues } from "./merge.ts";
import { decodePayload, encodePayload, loadedRecord, serializerOf } from "./payload.ts";
import { generateSessionId, isValidSessionId } from "./session-id.ts";
import type { LoadedRecord, PreparedWrite, RecordWrite } from "./store.ts";
import { StoreBase } from "./store-base.ts";
import { UserIndex } from "./user-index.ts";
import { type KeyUseReporter, type StoreOptions, codecMaxAge, codecOptionsFor, keyUseReporter, usesWebCrypto } from "./store-options.ts";

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
  /** The id cookie's codec and the data's: both on node:crypto, or both on WebCrypto. */
  readonly #codecs: Codecs;
  readonly #keyUse: KeyUseReporter | undefined;
  /** id → its session name, {@link dataName} and its bytes, bounded by {@link DATA_NAME_CACHE_SIZE}. */
  readonly #dataNames = new Map<string, { readonly name: string; readonly dataName: string; readonly bytes: Uint8Array }>();
  /** The sessions of each user (`SessionConfig.userKey`), for {@link ServerStore.destroyAll}. */
  readonly #users: UserIndex;
  /** The id cookie this store signed last for each id lately, by cookie value: a load of one skips its decode. */
  readonly #cookieMemo: EncodedMemo;
  /** The data this store encoded lately, by id: a load that reads it back skips its decode. */
  readonly #dataMemo: EncodedMemo;

  /** Creates the store; throws a usage error for missing or malformed keys. */
  constructor(backend: SessionBackend, options: ServerStoreOptions) {
    super(options);
    this.backend = backend;
    const maxAge = codecMaxAge(this.cookie);
    const now = () => this.now();
    const cookie = codecOptionsFor(options, { maxAge, maxLength: ID_COOKIE_LIMIT, now });
    // The data's signed timestamp may lag its cookie's by up to one maxAge: a refresh that only moves the
    // expiry (touch) re-signs the cookie but leaves the data as written (see the lifecycle's onlyExpiryMoves).
    const data = codecOptionsFor(options, { maxAge: maxAge * 2, maxLength: options.maxLength ?? 0, now });
    this.#codecs = usesWebCrypto(options)
      ? { web: true, cookie: createWebCryptoCodec(cookie), data: createWebCryptoCodec(data) }
      : { web: false, cookie: createCodec(cookie), data: createCodec(data) };
    this.#keyUse = keyUseReporter(options);
    this.#users = new UserIndex(backend, now, this.onError);
    // The data memo, filed by id, tells when loads keep finding another process's writes; the cookie memo rests with it.
    this.#dataMemo = new EncodedMemo(maxAge * 2);
    this.#cookieMemo = new EncodedMemo(maxAge, this.#dataMemo);
    registerLiveStore(this);
  }

  /** Returns a new session id (32 random bytes). */
  newId(): string {
    return generateSessionId();
  }

  /**
   * Loads the data of the id the cookie carries; rejects with decode errors for anything untrusted or
   * missing. Written as a chain, not an async function: one promise for the backend's read and one for
   * what follows it, on every request.
   */
  load(name: string, cookieValue: string, config: SessionConfig): Promise<LoadedRecord> {
    try {
      const known = this.#cookieMemo.recall(cookieValue, name, cookieValue, this.now());
      if (known !== undefined) return this.#read(name, { value: known, keyIndex: 0 }, config);
      const sealed = this.#codecs.cookie.decodeWithKeyIndex(name, cookieValue);
      return sealed instanceof Promise ? sealed.then((decoded) => this.#read(name, decoded, config)) : this.#read(name, sealed, config);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** {@link ServerStore.load} once the cookie verified: reads the data of its id (throws for a malformed id). */
  #read(name: string, decoded: DecodeResult, config: SessionConfig): Promise<LoadedRecord> {
    const id = text.latin1Text(decoded.value as Uint8Array);
    if (!isValidSessionId(id)) {
      throw new SessionError("invalid_session_id", `the cookie of session "${name}" carries a malformed id; it was refused.`);
    }
    const backend = this.backend;
    if (backend.readWithExpiry !== undefined && measuresIdleness(config, this.cookie)) {
      return this.#call(name, "read", [id], () => backend.readWithExpiry!(id), (found) =>
        this.#opened(name, config, decoded, id, found?.data, found?.expiresAt),
      );
    }
    return this.#call(name, "read", [id], () => backend.read(id), (data) => this.#opened(name, config, decoded, id, data, undefined));
  }

  /** {@link ServerStore.load} once the data is read: verifies and decodes it (throws `unknown_session` for none). */
  #opened(
    name: string,
    config: SessionConfig,
    decoded: DecodeResult,
    id: string,
    data: Uint8Array | string | undefined,
    expiresAt: number | undefined,
  ): LoadedRecord | Promise<LoadedRecord> {
    if (data === undefined) {
      throw new SessionError("unknown_session", `session "${name}" has no stored data (expired, destroyed or cleared); a fresh session was started.`);
    }
    const stored = typeof data === "string" ? data : text.latin1Text(data);
    const known = this.#dataMemo.recall(id, name, stored, this.now());
    if (known !== undefined) return this.#record(name, config, decoded, { value: known, keyIndex: 0 }, id, stored, expiresAt);
    const opened = this.#codecs.data.decodeWithKeyIndex(this.#dataName(name, id), stored);
    return opened instanceof Promise
      ? opened.then((verified) => this.#record(name, config, decoded, verified, id, stored, expiresAt))
      : this.#record(name, config, decoded, opened, id, stored, expiresAt);
  }

  /** {@link ServerStore.load}'s record, once the data verified: reports the keys used, indexes the user. */
  #record(name: string, config: SessionConfig, decoded: DecodeResult, verified: DecodeResult, id: string, stored: string, expiresAt: number | undefined): LoadedRecord {
    const record = loadedRecord(name, config, verified, id, decoded.keyIndex > 0, stored, expiresAt);
    if (this.#keyUse !== undefined) {
      this.#keyUse(name, decoded.keyIndex, "cookie");
      this.#keyUse(name, verified.keyIndex, "data");
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
  prepare(write: RecordWrite): PreparedWrite | Promise<PreparedWrite> {
    const { name, id } = write;
    if (!isValidSessionId(id)) {
      throw new SessionError("invalid_option", `session "${name}" has an id that does not match SESSION_ID_PATTERN; it was not saved.`);
    }
    const known = this.#known(name, id);
    const signedAt = Math.floor(this.now()); // no later than the codec's timestamps
    const payload = encodePayload(name, serializerOf(write.config), write.record);
    const cookieValue = this.#codecs.cookie.encode(name, known.bytes);
    const data = this.#codecs.data.encode(known.dataName, payload);
    if (typeof cookieValue === "string" && typeof data === "string") return this.#prepared(write, cookieValue, data, payload, signedAt);
    return Promise.all([cookieValue, data]).then(([cookie, encoded]) => this.#prepared(write, cookie, encoded, payload, signedAt));
  }

  /**
   * The write {@link ServerStore.prepare} returns, once the cookie and the data are encoded (`payload`'s
   * bytes, at `signedAt` or later). Both are remembered at once: whether or not the write lands, a load that
   * finds exactly these texts finds what this store signed.
   */
  #prepared(write: RecordWrite, cookieValue: string, data: string, payload: Uint8Array, signedAt: number): PreparedWrite {
    const { name, id, replacing } = write;
    this.#cookieMemo.remember(cookieValue, name, cookieValue, this.#known(name, id).bytes, signedAt, id);
    this.#dataMemo.remember(id, name, data, payload, signedAt);
    const ttl = this.#ttlOf(write);
    const backend = this.backend;
    const ids = replacing === undefined ? [id] : [id, replacing];
    const codecs = this.#codecs;
    // Promise chains, not an async function: a save that nobody raced costs the backend's promise and one more.
    const commit = (): Promise<boolean> => {
      if (replacing !== undefined && isValidSessionId(replacing)) {
        if (backend.replace !== undefined) return this.#call(name, "write", ids, () => backend.replace!(replacing, id, data, ttl), wrote);
        return this.#call(name, "write", ids, () => backend.write(id, data, ttl), () =>
          this.#call(name, "delete", [replacing], () => backend.delete(replacing), wrote),
        );
      }
      if (write.mode === "update" && backend.modify !== undefined && codecs.web) {
        return this.#modifyMerging(codecs.data, write, data, ttl, ids).then((merged) => {
          written = merged;
          return merged !== undefined;
        });
      }
      if (write.mode === "update" && backend.modify !== undefined && !codecs.web) {
        written = undefined;
        const modify = () =>
          backend.modify!(id, (current) => {
            if (current === undefined) return undefined; // destroyed meanwhile: a logout sticks
            const next = current === write.revision || write.changed === undefined ? data : this.#merged(codecs.data, write, current);
            written = next;
            return { data: next, ttlSeconds: ttl };
          }, write.revision);
        return this.#call(name, "write", ids, modify, (done) => {
          if (!done) written = undefined;
          return done;
        });
      }
      if (write.mode === "update" && backend.update !== undefined) {
        return this.#call(name, "write", ids, () => backend.update!(id, data, ttl));
      }
      return this.#call(name, "write", ids, () => backend.write(id, data, ttl), wrote);
    };
    let written: string | undefined = data;
    return { cookieValue, commit: this.#users.around(write, ttl, commit), revision: () => written };
  }

  /**
   * An update through `modify` with the WebCrypto codec, whose decode and encode are promises while
   * `modify`'s `next` must answer at once: the merge is computed outside `next`, and `next` writes it only
   * onto the very data it was computed from (a compare-and-set: the loaded revision first, where nobody
   * wrote since — the common case, one `modify`). When the data moved meanwhile, the merge is computed again
   * on what `next` saw, up to {@link MERGE_ATTEMPTS} times. The merges of one session through one backend
   * object take turns in this process (each one's window spans several WebCrypto calls: a hundred at once
   * would otherwise keep moving the data under each other), so only other processes make it retry. Resolves
   * the data written, or `undefined` when there was none to update (destroyed meanwhile) or the backend
   * declined.
   */
  async #modifyMerging(codec: WebCryptoCodec, write: RecordWrite, data: string, ttl: number, ids: readonly string[]): Promise<string | undefined> {
    const { name, id } = write;
    const backend = this.backend;
    const modify = (next: (current: string | undefined) => string | undefined, expected: string | undefined): Promise<boolean> =>
      this.#call(name, "write", ids, () =>
        backend.modify!(id, (current) => {
          const wanted = current === undefined ? undefined : next(current); // destroyed meanwhile: a logout sticks
          return wanted === undefined ? undefined : { data: wanted, ttlSeconds: ttl };
        }, expected),
      );
    // Every key is rewritten (a migrated or repaired session): nothing to merge, whatever is stored now.
    if (write.changed === undefined) return (await modify(() => data, write.revision)) ? data : undefined;
    return mergeLockOf(backend).run(id, () => this.#mergeLoop(codec, write, data, modify));
  }

  /** The compare-and-set loop of {@link ServerStore.#modifyMerging}. */
  async #mergeLoop(
    codec: WebCryptoCodec,
    write: RecordWrite,
    data: string,
    modify: (next: (current: string | undefined) => string | undefined, expected: string | undefined) => Promise<boolean>,
  ): Promise<string | undefined> {
    let expected = write.revision;
    let merged: string | undefined = expected === undefined ? undefined : data; // nobody wrote since the load
    for (let attempt = 1; ; attempt++) {
      let seen: string | undefined;
      let offered = false;
      const wrote = await modify((current) => {
        seen = current;
        offered = merged !== undefined && current === expected;
        return offered ? merged : undefined;
      }, expected);
      if (wrote) return merged;
      if (seen === undefined || offered) return undefined;
      if (attempt >= MERGE_ATTEMPTS) {
        throw new SessionError(
          "store_unavailable",
          `saving session "${write.name}" failed: its data changed under each of ${MERGE_ATTEMPTS} attempts to merge this request's changes into it (too many concurrent saves of one session); nothing was written. Retry the request or answer 503.`,
        );
      }
      expected = seen;
      merged = await this.#mergedAsync(codec, write, seen);
    }
  }

  /**
   * Prepares a refresh that only moves the expiry of unchanged data, through the backend's `touch` (the
   * data is neither encoded nor rewritten; the id cookie is re-signed, so its own expiry moves too);
   * `undefined` when the backend has no `touch`.
   */
  touch(write: RecordWrite): PreparedWrite | Promise<PreparedWrite> | undefined {
    const { name, id } = write;
    const backend = this.backend;
    if (backend.touch === undefined || !isValidSessionId(id)) return undefined;
    const ttl = this.#ttlOf(write);
    const bytes = this.#known(name, id).bytes;
    const signedAt = Math.floor(this.now());
    const touched = (cookieValue: string): PreparedWrite => {
      this.#cookieMemo.remember(cookieValue, name, cookieValue, bytes, signedAt, id);
      return {
        cookieValue,
        commit: this.#users.around(write, ttl, () => this.#call(name, "write", [id], () => backend.touch!(id, ttl))),
        revision: () => write.revision,
      };
    };
    const cookieValue = this.#codecs.cookie.encode(name, bytes);
    return typeof cookieValue === "string" ? touched(cookieValue) : cookieValue.then(touched);
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
  #merged(codec: Codec, write: RecordWrite, current: string): string {
    const { name, id, config, record } = write;
    const serializer = serializerOf(config);
    const dataName = this.#dataName(name, id);
    const read = (stored: string | undefined): Record<string, unknown> | undefined => {
      if (stored === undefined) return undefined;
      try {
        return decodePayload(name, serializer, codec.decode(dataName, stored) as Uint8Array).values;
      } catch {
        return undefined;
      }
    };
    return codec.encode(dataName, encodePayload(name, serializer, { ...record, values: mergedValues(write, read(current), read(write.revision)) }));
  }

  /** {@link ServerStore.#merged} with the WebCrypto codec. */
  async #mergedAsync(codec: WebCryptoCodec, write: RecordWrite, current: string): Promise<string> {
    const { name, id, config, record } = write;
    const serializer = serializerOf(config);
    const dataName = this.#dataName(name, id);
    const read = async (stored: string | undefined): Promise<Record<string, unknown> | undefined> => {
      if (stored === undefined) return undefined;
      try {
        return decodePayload(name, serializer, (await codec.decode(dataName, stored)) as Uint8Array).values;
      } catch {
        return undefined;
      }
    };
    const [now, base] = await Promise.all([read(current), read(write.revision)]);
    return codec.encode(dataName, encodePayload(name, serializer, { ...record, values: mergedValues(write, now, base) }));
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

  /**
   * Runs one backend call, turning its failures into the store's errors, and `then` on its answer (in the
   * same `.then`: no async wrapper, one promise a call). What `then` throws is not a backend failure.
   */
  #call<T>(name: string, operation: string, ids: readonly string[], run: () => Promise<T>): Promise<T>;
  #call<T, R>(name: string, operation: string, ids: readonly string[], run: () => Promise<T>, then: (value: T) => R | PromiseLike<R>): Promise<R>;
  #call<T, R>(name: string, operation: string, ids: readonly string[], run: () => Promise<T>, then?: (value: T) => R | PromiseLike<R>): Promise<T | R> {
    let call: Promise<T>;
    try {
      call = run();
    } catch (err) {
      return Promise.reject(backendError(name, operation, err, ids));
    }
    return Promise.resolve(call).then(then, (err: unknown) => {
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
  #known(name: string, id: string): { readonly dataName: string; readonly bytes: Uint8Array } {
    const cached = this.#dataNames.get(id);
    if (cached !== undefined && cached.name === name) return cached;
    const entry = { name, dataName: dataName(name, id), bytes: text.latin1Bytes(id) };
    if (this.#dataNames.size >= DATA_NAME_CACHE_SIZE) this.#dataNames.clear();
    this.#dataNames.set(id, entry);
    return entry;
  }
}

/** The id cookie's codec and the data's, on node:crypto (answers at once) or WebCrypto (promises). */
type Codecs =
  | { readonly web: false; readonly cookie: Codec; readonly data: Codec }
  | { readonly web: true; readonly cookie: WebCryptoCodec; readonly data: WebCryptoCodec };

/** How many times an update with the WebCrypto codec merges and tries to write before it gives up. */
const MERGE_ATTEMPTS = 20;

/** The turns of WebCrypto merges, per backend object and session id (see `ServerStore.#modifyMerging`). */
const mergeLocks = new WeakMap<SessionBackend, KeyedLock>();

function mergeLockOf(backend: SessionBackend): KeyedLock {
  let lock = mergeLocks.get(backend);
  if (lock === undefined) {
    lock = new KeyedLock();
    mergeLocks.set(backend, lock);
  }
  return lock;
}

/** What a commit that wrote resolves (a write that answers nothing wrote). */
function wrote(): boolean {
  return true;
}

/** No keys. */
const NO_KEYS: ReadonlySet<string> = new Set();

/** How many data names {@link ServerStore} keeps (then it starts over). */
const DATA_NAME_CACHE_SIZE = 1024;

/**
 * The codec name session data is signed under: binds the data to its session name and id (so a file
 * copied under another id is refused), without putting the id itself, a bearer secret, in error messages.
 */
function dataName(name: string, id: string): string {
  return `${name}#${sha256Base64Url(id).slice(0, 16)}`;
}

/**
 * The values to write when another request saved the session since this one loaded it: the data as it is
 * now (`now`), with the keys this request changed taken from its record, against what it loaded (`base`).
 * Data that no longer decodes (`now` undefined: another key, a corrupt entry) is replaced whole.
 */
function mergedValues(write: RecordWrite, now: Record<string, unknown> | undefined, base: Record<string, unknown> | undefined): Record<string, unknown> {
  const { name, config, record } = write;
  if (now === undefined) return record.values;
  return mergeValues(name, serializerOf(config), now, base, record.values, write.changed as ReadonlySet<string>, write.flashKeys ?? NO_KEYS, config.onConflict ?? "overwrite");
}
