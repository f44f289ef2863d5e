import * as crypto from "node:crypto";
import type { Codec } from "../codec/codec.ts";
import { SessionError } from "../errors.ts";
import type { RequestContext } from "../http/context.ts";
import { assertCookieName } from "../http/cookie-options.ts";
import type { Session } from "../session/session.ts";
import type { SessionConfig } from "../session/session-config.ts";
import type { ClearableStore } from "./store.ts";
import { ObjectSlot } from "../internal/object-slot.ts";
import { backendError } from "./backend-error.ts";
import { registerLiveStore, unregisterLiveStore } from "./live-stores.ts";
import { checkTimeouts, decodePayload, encodePayload, serializerOf } from "./payload.ts";
import { generateSessionId, isValidSessionId } from "./session-id.ts";
import { StoreBase } from "./store-base.ts";
import { type StoreOptions, codecFor, codecMaxAge } from "./store-options.ts";

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
}

/** Options of {@link ServerStore}. */
export type ServerStoreOptions = StoreOptions & {
  /** The longest encoded session data, in characters; 0 = no limit (data is not a cookie). @default 0 */
  maxLength?: number | undefined;
};

/**
 * The shared base of server-side stores: the cookie carries only a random id (32 bytes, signed by the
 * codec), and the backend holds the codec-encoded values (encrypted at rest with a block key), expiring
 * after the session's `maxAge` (the store's when the session's is 0). Every instance is emptied by
 * `clearAll()`.
 * @example
 * const store = new ServerStore(myBackend, { hashKey, blockKey, options: { maxAge: 3600 } });
 */
export class ServerStore extends StoreBase implements ClearableStore {
  /** Where the data lives. */
  readonly backend: SessionBackend;
  readonly #cookieCodec: Codec;
  readonly #dataCodec: Codec;
  /** The id each session's data is stored under (loaded or written), to tell a save that creates from one that updates. */
  readonly #storedIds = new ObjectSlot<string>("typed-sessions.stored-id");
  /** id → its session name and {@link dataName}, bounded by {@link DATA_NAME_CACHE_SIZE}. */
  readonly #dataNames = new Map<string, { readonly name: string; readonly dataName: string }>();

  /** Creates the store; throws a usage error for missing or malformed keys. */
  constructor(backend: SessionBackend, options: ServerStoreOptions) {
    super(options);
    this.backend = backend;
    const maxAge = codecMaxAge(this.defaults);
    this.#cookieCodec = codecFor(options, { maxAge, maxLength: 4096, now: this.now });
    this.#dataCodec = codecFor(options, { maxAge, maxLength: options.maxLength ?? 0, now: this.now });
    registerLiveStore(this);
  }


  /** Loads the session whose id the cookie carries; anything untrusted or missing gives a fresh session and a report. */
  async get(ctx: RequestContext, name: string, config: SessionConfig = {}): Promise<Session> {
    assertCookieName(name);
    const cookie = ctx.getCookie(name);
    if (cookie === undefined) return this.fresh(name, config);
    let id: string;
    let stale: boolean;
    try {
      const decoded = this.#cookieCodec.decodeWithKeyIndex(name, cookie);
      const bytes = decoded.value as Uint8Array;
      id = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
      if (!isValidSessionId(id)) {
        throw new SessionError("invalid_session_id", `the cookie of session "${name}" carries a malformed id; it was refused.`);
      }
      stale = decoded.keyIndex > 0;
    } catch (err) {
      return this.recover(name, config, err);
    }
    let data: Uint8Array | string | undefined;
    try {
      data = await this.backend.read(id);
    } catch (err) {
      return this.recover(name, config, backendError(name, "read", err, [id]));
    }
    try {
      if (data === undefined) {
        throw new SessionError("unknown_session", `session "${name}" has no stored data (expired, destroyed or cleared); a fresh session was started.`);
      }
      const text = typeof data === "string" ? data : Buffer.from(data).toString("latin1");
      const decoded = this.#dataCodec.decodeWithKeyIndex(this.#dataName(name, id), text);
      const payload = decodePayload(name, serializerOf(config), decoded.value as Uint8Array);
      checkTimeouts(name, config, payload, this.now());
      const session = this.loaded(name, config, payload, id);
      this.#storedIds.set(session, id);
      if (stale || decoded.keyIndex > 0) session.markDirty(); // re-issue with the newest key on save
      return session;
    } catch (err) {
      return this.recover(name, config, err);
    }
  }

  /** Writes the data and sets the id cookie; skipped when unchanged; deletes when `options.maxAge` < 0. */
  async save(ctx: RequestContext, session: Session): Promise<void> {
    const now = Math.floor(this.now());
    if (session.options.maxAge < 0) return this.#remove(ctx, session, now);
    if (!session.needsSave(now)) return;
    if (session.id === "") session.id = generateSessionId();
    await this.#persist(ctx, session, now, this.#storedIds.get(session) !== session.id);
  }

  /** Deletes the data, expires the cookie, and marks the session destroyed. */
  async destroy(ctx: RequestContext, session: Session): Promise<void> {
    await this.#remove(ctx, session, Math.floor(this.now()));
    session.markDestroyed();
  }

  /** Moves the session to a new id (values kept), deletes the old data, and sets the new cookie. */
  async regenerate(ctx: RequestContext, session: Session): Promise<void> {
    const now = Math.floor(this.now());
    const oldId = session.id;
    session.id = generateSessionId();
    const atomic = isValidSessionId(oldId) && this.backend.replace !== undefined;
    try {
      await this.#persist(ctx, session, now, true, atomic ? oldId : undefined);
    } catch (err) {
      session.id = oldId; // nothing moved: a retry saves the session where its data still is
      throw err;
    }
    if (!atomic && isValidSessionId(oldId)) await this.#call(session.name, "delete", [oldId], () => this.backend.delete(oldId));
  }

  /** Deletes every session of this store (what `clearAll()` calls). */
  async clear(): Promise<void> {
    await this.#call("*", "clear", [], () => this.backend.clear());
  }

  /** Releases the backend's timers and connections; `clearAll()` no longer sees this store. */
  async close(): Promise<void> {
    unregisterLiveStore(this);
    await this.backend.close?.();
  }

  /**
   * Writes the session and sets its cookie. `fresh`: the session's data is not stored under its id yet (a
   * new session, regenerate's new id, an id the app set), so it is created; otherwise it is only updated
   * while it still exists. `replacing`: the id whose data the backend's atomic `replace` deletes in the
   * same step.
   */
  async #persist(ctx: RequestContext, session: Session, now: number, fresh: boolean, replacing?: string): Promise<void> {
    const { name, id } = session;
    if (!isValidSessionId(id)) {
      throw new SessionError(
        "invalid_option",
        `session "${name}" has an id that does not match SESSION_ID_PATTERN; leave session.id to the store (it is assigned on first save).`,
      );
    }
    // Everything that could stop the cookie from being set is checked before the backend changes: the
    // response's headers, the options (a header that cannot be formatted), the size.
    ctx.assertCookieWritable?.(name);
    const cookie = this.#cookieCodec.encode(name, Buffer.from(id, "latin1"));
    this.assertCookieFormattable(name, cookie, session.options, now * 1000);
    StoreBase.checkSize(name, cookie, session.options, now * 1000, 4096);
    const bytes = encodePayload(name, serializerOf(session.config), this.payloadOf(session, now));
    const data = this.#dataCodec.encode(this.#dataName(name, id), bytes);
    const ttl = session.options.maxAge > 0 ? session.options.maxAge : codecMaxAge(this.defaults);
    let kept = true;
    try {
      if (replacing !== undefined && this.backend.replace !== undefined) await this.backend.replace(replacing, id, data, ttl);
      else if (!fresh && this.backend.update !== undefined) kept = await this.backend.update(id, data, ttl);
      else await this.backend.write(id, data, ttl);
    } catch (err) {
      throw backendError(name, "write", err, replacing === undefined ? [id] : [id, replacing]);
    }
    // Gone since this request loaded it (destroyed by another request, cleared): it stays gone. No cookie
    // either way: the one that ended it has expired it, or set a newer one (a login) this must not replace.
    if (!kept) return;
    this.#storedIds.set(session, id);
    ctx.setCookie(name, cookie, session.options);
    session.markSaved(now);
  }

  async #remove(ctx: RequestContext, session: Session, now: number): Promise<void> {
    const id = session.id;
    if (isValidSessionId(id)) await this.#call(session.name, "delete", [id], () => this.backend.delete(id));
    ctx.setCookie(session.name, "", { ...session.options, maxAge: -1 });
    session.markSaved(now);
  }

  async #call<T>(name: string, operation: string, ids: readonly string[], run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw backendError(name, operation, err, ids);
    }
  }

  /**
   * Returns {@link dataName} of `id`, from a small cache: a request usually loads and saves the same
   * session, so its digest is computed once, not on every read and write.
   */
  #dataName(name: string, id: string): string {
    const cached = this.#dataNames.get(id);
    if (cached !== undefined && cached.name === name) return cached.dataName;
    const computed = dataName(name, id);
    if (this.#dataNames.size >= DATA_NAME_CACHE_SIZE) this.#dataNames.clear();
    this.#dataNames.set(id, { name, dataName: computed });
    return computed;
  }
}

/** Node's one-shot digest (Node ≥ 20.12), cheaper than `createHash` for one short input. */
const oneShot = (crypto as unknown as { hash?: (algorithm: string, data: string, encoding: "base64url") => string }).hash;

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
