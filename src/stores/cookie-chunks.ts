// Chunked cookies: how a session too large for one cookie is spread over several, and read back.
//
// The scheme: the session "s" is sent as `s` (the first chunk), then `s.1`, `s.2`, … in order; joined, the
// chunks are the one value the codec signed, so its MAC checks the whole. A session that fits in one cookie
// is the same single cookie `s` as without chunking (turning chunking on or off needs no migration, and a
// small session costs nothing more). There is no chunk count in the cookies: it would sit outside the MAC,
// which already refuses a set that lost its last chunk, or had chunks swapped, altered or added at the end.
// What the MAC cannot see is refused here: a chunk after a missing one, or one past the store's `maxChunks`.
import { SessionError } from "../errors.ts";

/**
 * The caps of a chunking cookie store (`CookieStoreOptions.chunking`). Each chunk's `Set-Cookie` header is
 * at most the store's `maxLength` (4096 bytes by default), as a single cookie's is.
 */
export interface CookieChunking {
  /**
   * The most cookies one session may take, the first (`name`) included: at 4 full chunks a session's
   * cookies are already about 16 KB, the most Node.js accepts for all the headers of a request.
   * @default 4
   */
  readonly maxChunks: number;
  /**
   * The most bytes one session's cookies may take in a request's `Cookie` header (each `name=value` and
   * the `; ` between them): 6 KiB leaves 2 KiB of the 8 KiB header line that nginx
   * (`large_client_header_buffers`), Apache (`LimitRequestFieldSize`) and gunicorn accept by default for
   * the site's other cookies and headers. Raise it only when every proxy in front of the app accepts more.
   * @default 6144
   */
  readonly maxBytes: number;
}

/** The default {@link CookieChunking.maxChunks}. */
export const DEFAULT_MAX_CHUNKS = 4;
/** The default {@link CookieChunking.maxBytes}. */
export const DEFAULT_MAX_CHUNK_BYTES = 6144;
/** The most chunks a store may allow: RFC 6265 asks browsers to keep at least 50 cookies per domain. */
const MOST_CHUNKS = 50;

/** Where a request's cookies are read (a RequestContext fits). */
export interface CookieSource {
  getCookie(name: string): string | undefined;
}

/**
 * Resolves a store's `chunking` option: `undefined` for no chunking (`false` or absent), the defaults for
 * `true`, the given caps over the defaults for an object. Throws `invalid_option` for caps that are not
 * whole numbers (maxChunks from 2 to 50, maxBytes ≥ 1), or when the store has no per-cookie limit to split at.
 */
export function resolveChunking(option: boolean | Partial<CookieChunking> | undefined, cookieLimit: number): CookieChunking | undefined {
  if (option === undefined || option === false) return undefined;
  const given = option === true ? {} : option;
  const maxChunks = given.maxChunks ?? DEFAULT_MAX_CHUNKS;
  const maxBytes = given.maxBytes ?? DEFAULT_MAX_CHUNK_BYTES;
  if (!Number.isInteger(maxChunks) || maxChunks < 2 || maxChunks > MOST_CHUNKS) {
    throw new SessionError(
      "invalid_option",
      `chunking.maxChunks must be a whole number from 2 to ${MOST_CHUNKS} (browsers keep at least 50 cookies per site), got ${maxChunks}; pass chunking: false for one cookie.`,
    );
  }
  if (!Number.isInteger(maxBytes) || maxBytes < 1) {
    throw new SessionError("invalid_option", `chunking.maxBytes must be a whole number of bytes, at least 1, got ${maxBytes}.`);
  }
  if (!(cookieLimit > 0)) {
    throw new SessionError("invalid_option", "chunking splits a session at the store's maxLength, which is 0 (no limit): give a maxLength (4096 is what browsers keep) or drop chunking.");
  }
  return Object.freeze({ maxChunks, maxBytes });
}

/** The name of chunk `index` of the session `name`: `name` itself for the first, then `name.1`, `name.2`, …. */
export function chunkName(name: string, index: number): string {
  return index === 0 ? name : `${name}.${index}`;
}

/**
 * The names a reader looks at for the session `name`: its `maxChunks` chunks, and one more (`name.<maxChunks>`),
 * which only a set over the cap would have.
 */
export function chunkNames(name: string, maxChunks: number): readonly string[] {
  return Object.freeze(Array.from({ length: maxChunks + 1 }, (_, index) => chunkName(name, index)));
}

function invalidChunks(name: string, detail: string): SessionError {
  return new SessionError("invalid_chunks", `the cookies of session "${name}" are not one whole set of chunks (${detail}); a fresh session was started.`);
}

/**
 * Returns the value the chunks of session `names[0]` carry in a request, joined in order; `undefined` when
 * it has none. Throws `invalid_chunks` (a decode error) for a chunk after a missing one (the first
 * included) and for a chunk past the cap (`names` holds one name more than the store allows).
 */
export function readChunks(names: readonly string[], source: CookieSource): string | undefined {
  const name = names[0] as string;
  const first = source.getCookie(name);
  let value = first;
  let missing = 0; // the first index absent
  if (first !== undefined) {
    let joined = first;
    for (missing = 1; missing < names.length; missing++) {
      const next = source.getCookie(names[missing] as string);
      if (next === undefined) break;
      joined += next;
    }
    if (missing === names.length) throw invalidChunks(name, `more than the ${names.length - 1} cookies its store allows: ${names.at(-1)} is set`);
    value = joined;
  }
  for (let later = missing + 1; later < names.length; later++) {
    const stray = names[later] as string;
    if (source.getCookie(stray) === undefined) continue;
    throw invalidChunks(name, `${stray} is set without ${names[missing]}`);
  }
  return value;
}

/**
 * Returns how long each chunk of a value of `valueLength` characters is when it is split for session
 * `name` with `attributes` bytes of attributes and `limit` bytes per `Set-Cookie` header (each chunk filled
 * in turn, the last one short), and how many bytes the chunks take in a request's `Cookie` header.
 * Throws `cookie_too_large` when the attributes leave a chunk no room.
 */
export function chunkLayout(name: string, valueLength: number, attributes: number, limit: number): { lengths: number[]; bytes: number } {
  const lengths: number[] = [];
  let bytes = -2; // no "; " before the first
  for (let at = 0; at < valueLength || lengths.length === 0; ) {
    const cookieName = chunkName(name, lengths.length);
    const room = limit - attributes - cookieName.length - 1;
    if (room <= 0) {
      throw new SessionError(
        "cookie_too_large",
        `the attributes of session "${name}"'s cookies take ${attributes} bytes, which leaves ${cookieName} no room within the ${limit}-byte limit; shorten the path or domain, or raise maxLength.`,
      );
    }
    const length = Math.min(room, valueLength - at);
    lengths.push(length);
    bytes += 2 + cookieName.length + 1 + length;
    at += length;
  }
  return { lengths, bytes };
}

/**
 * Splits `value` (cookie-safe text: the codec's URL-safe base64) into the chunks of session `name` as
 * {@link chunkLayout} lays them out. Throws `chunk_limit_exceeded` when they would be more than
 * `caps.maxChunks` or take more than `caps.maxBytes` of a `Cookie` header, and `cookie_too_large` when the
 * attributes leave a chunk no room.
 */
export function splitChunks(name: string, value: string, attributes: number, limit: number, caps: CookieChunking): string[] {
  const { lengths, bytes } = chunkLayout(name, value.length, attributes, limit);
  if (lengths.length > caps.maxChunks || bytes > caps.maxBytes) throw overCaps(name, lengths.length, bytes, caps);
  let at = 0;
  return lengths.map((length) => value.slice(at, (at += length)));
}

/**
 * Throws `chunk_limit_exceeded` when the single cookie `name=value` takes more than `caps.maxBytes` of a
 * `Cookie` header (a store may cap its sessions' cookies below one `maxLength`).
 */
export function checkSingleCookie(name: string, value: string, caps: CookieChunking): void {
  const bytes = name.length + 1 + value.length;
  if (bytes > caps.maxBytes) throw overCaps(name, 1, bytes, caps);
}

function overCaps(name: string, count: number, bytes: number, caps: CookieChunking): SessionError {
  return new SessionError(
    "chunk_limit_exceeded",
    `session "${name}" would take ${count} cookie${count === 1 ? "" : "s"} and ${bytes} bytes of a request's Cookie header, over its store's chunking caps (maxChunks ${caps.maxChunks}, maxBytes ${caps.maxBytes}); store less in it, or keep it in a server-side store (FilesystemStore, RedisStore). Raise chunking.maxBytes only if every proxy in front of the app accepts a longer Cookie header (nginx and Apache refuse header lines over 8 KB by default; Node.js answers 431 past 16 KB of headers).`,
  );
}
