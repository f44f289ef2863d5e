import type { CookieOptions } from "../http/cookie-options.ts";
import type { CookieChunking } from "./cookie-chunks.ts";
import type { ErrorHook, SessionConfig } from "../session/session-config.ts";

/** What a store keeps of one session: its values and the metadata beside them. */
export interface SessionRecord {
  /** The session's values (flash keys included). */
  readonly values: Record<string, unknown>;
  /** When the session was created, in Unix seconds. */
  readonly createdAt: number;
  /** When the session was last saved, in Unix seconds. */
  readonly accessedAt: number;
  /**
   * The session's own cookie `maxAge` in seconds, kept only when it differs from the default its definition
   * starts with, so a per-session choice ("remember me" unticked) survives later saves.
   * @default undefined (the default applies)
   */
  readonly maxAge?: number | undefined;
  /**
   * The version of the values' shape (the definition's `version`), kept only when it is not 1, so data of
   * unversioned definitions carries none. @default undefined (version 1)
   */
  readonly version?: number | undefined;
}

/** A record a store loaded from a request's cookie. */
export interface LoadedRecord extends SessionRecord {
  /** The server-side id the cookie carried ("" for a cookie store). */
  readonly id: string;
  /** True when an older key verified it: the next save re-issues it with the newest key. */
  readonly stale: boolean;
  /**
   * What a server store read, to hand back with the next write (`RecordWrite.revision`): it tells whether
   * the data moved since, and what this request started from. @default undefined (a cookie store)
   */
  readonly revision?: string | undefined;
  /**
   * When the server data expires, in Unix seconds, as its backend tells (what the last write or touch set):
   * a touch since the data was written counts as an access. Given only for sessions whose idleness is
   * checked (an idle timeout, a browser-session cookie) on a backend with `readWithExpiry`.
   * @default undefined (the data's `accessedAt` is the last access)
   */
  readonly expiresAt?: number | undefined;
}

/** What a store is asked to persist. */
export interface RecordWrite {
  /** The session (cookie) name. */
  readonly name: string;
  /** The server-side id to store the record under ("" for a cookie store). */
  readonly id: string;
  /** The values and metadata. */
  readonly record: SessionRecord;
  /** The session definition's config (its serializer). */
  readonly config: SessionConfig;
  /** The cookie attributes the session will be sent with. */
  readonly cookie: CookieOptions;
  /**
   * How long the server-side data is to live, in seconds, as the lifecycle decided it: the cookie's `maxAge`,
   * or for a browser-session cookie (maxAge 0) the definition's `sessionCookieLifetime`.
   * @default the cookie's `maxAge` when > 0, else the store's
   */
  readonly ttl?: number | undefined;
  /**
   * `"create"` writes the data; `"update"` writes it only while data is still stored under `id` (so a
   * session destroyed meanwhile by another request stays destroyed).
   */
  readonly mode: "create" | "update";
  /** An id whose data this write takes over and deletes (regenerate), atomically where the backend can. */
  readonly replacing?: string | undefined;
  /**
   * For an `"update"`: the keys this request set, deleted or changed in place since it loaded the record
   * (or last saved it). A store that can (a backend with `modify`) writes only these on top of the data as
   * it is now, so concurrent requests that change different keys both persist. @default every key
   */
  readonly changed?: ReadonlySet<string> | undefined;
  /** For an `"update"`: the revision the record was loaded (or last written) with. */
  readonly revision?: string | undefined;
  /** The keys this request used as flash lists (`addFlash`, `flashes`): a merge joins them as lists. */
  readonly flashKeys?: ReadonlySet<string> | undefined;
}

/** A write a store has encoded but not yet performed. */
export interface PreparedWrite {
  /** The value of the session's cookie (the data itself, or a signed id). */
  readonly cookieValue: string;
  /**
   * Writes the server-side data; resolves `false`, having written nothing, when an `"update"` found no data.
   * Runs only once the cookie is known to fit. @default nothing to write (a cookie store)
   */
  commit?(): Promise<boolean>;
  /** After a commit: the revision the data was written with, for the next write of the same request. */
  revision?(): string | undefined;
}

/**
 * Where sessions live: the protocol between the session lifecycle and a store. The built-in stores
 * implement it; to keep data somewhere else, give a `SessionBackend` to `ServerStore` rather than
 * implementing this. Every method may throw a decode `SessionError` for untrusted input (the session is
 * then reset and reported) or `store_unavailable`.
 */
export interface Store {
  /** The cookie attributes sessions of this store start with. */
  readonly cookie: CookieOptions;
  /** The longest `Set-Cookie` header this store's sessions may send, in bytes; 0 = no limit. */
  readonly cookieLimit: number;
  /**
   * Splits a cookie value whose `Set-Cookie` header would be over `cookieLimit` across the cookies `name`,
   * `name.1`, `name.2`, … within these caps, and reads it back joined. @default absent: one cookie, and
   * `cookie_too_large` past `cookieLimit`
   */
  readonly chunking?: CookieChunking | undefined;
  /**
   * Trusts the first `X-Forwarded-Proto` header to tell an HTTPS request, for cookies with `secure: "auto"`
   * (set it only behind a proxy that sets that header). @default false
   */
  readonly trustProxy?: boolean | undefined;
  /** The store's error hook: told of every session that was reset (see `SessionConfig.onError`). @default none */
  readonly onError?: ErrorHook | undefined;
  /** Returns the store's clock, in Unix seconds. */
  now(): number;
  /**
   * Decodes the record a request's cookie value stands for (a promise when it has to read a backend);
   * throws (or rejects with) a decode error for anything untrusted or missing.
   */
  load(name: string, cookieValue: string, config: SessionConfig): LoadedRecord | Promise<LoadedRecord>;
  /**
   * Encodes a write (a promise when the codec is asynchronous, as WebCrypto's is); throws (or rejects with)
   * `serialize_failed` for values the serializer refuses.
   */
  prepare(write: RecordWrite): PreparedWrite | Promise<PreparedWrite>;
  /**
   * Prepares a write that only moves the expiry of an unchanged record (a `rolling` refresh) without
   * re-encoding or rewriting its data; returns `undefined` when the store cannot (the lifecycle then calls
   * `prepare`). Its commit resolves `false` when the data is gone. @default absent: every save rewrites
   */
  touch?(write: RecordWrite): PreparedWrite | Promise<PreparedWrite> | undefined;
  /** Deletes the data stored under `id`. @default absent: nothing is stored on the server */
  remove?(name: string, id: string): Promise<void>;
  /** Returns a new server-side id. @default absent: the store keeps no ids (a cookie store) */
  newId?(): string;
}
