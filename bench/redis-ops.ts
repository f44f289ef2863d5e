// What the Redis benchmark's typed-sessions cases run, shared by bench/redis.ts and the instruction count
// (bench/redis-instructions-run.ts): a built typed-sessions loaded from its entries, and one worker's save +
// load through the library's API on requests kept in memory.
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import type * as Main from "typed-sessions";
import type * as Adapter from "typed-sessions/adapter";
import type * as CodecEntry from "typed-sessions/codec";
import type * as RedisEntry from "typed-sessions/redis";
import type * as StoreEntry from "typed-sessions/store";
import { libraryPath, libraryTag } from "./http-ts-app.ts";

/** The session (and cookie) name of every case. */
export const NAME = "sid";
/** The sessions' lifetime, in seconds. */
export const TTL_SECONDS = 3600;

/** One worker's op `i`: a save and a load (or the baseline's equivalent). */
export type Op = (i: number) => Promise<unknown>;

/** What the cases use of a typed-sessions build. */
export interface Library {
  readonly tag: string;
  readonly sessions: typeof Main.sessions;
  readonly createRequestContext: typeof Adapter.createRequestContext;
  readonly jsonSerializer: typeof CodecEntry.jsonSerializer;
  readonly createCodec: typeof CodecEntry.createCodec;
  readonly RedisStore: typeof RedisEntry.RedisStore;
  readonly RedisBackend: typeof RedisEntry.RedisBackend;
  readonly redisClientOptions: typeof RedisEntry.redisClientOptions;
  readonly ServerStore: typeof StoreEntry.ServerStore;
}

/** Loads a built typed-sessions (see `libraryPath`): its main, adapter, codec and redis entries. */
export async function loadLibrary(spec: string | undefined): Promise<Library> {
  const dir = dirname(libraryPath(spec));
  const entry = async <T>(name: string) => (await import(pathToFileURL(join(dir, `${name}.js`)).href)) as T;
  const [main, adapter, codec, redis, store] = await Promise.all([
    entry<typeof Main>("index"),
    entry<typeof Adapter>("adapter"),
    entry<typeof CodecEntry>("codec"),
    entry<typeof RedisEntry>("redis"),
    entry<typeof StoreEntry>("store"),
  ]);
  return {
    tag: libraryTag(spec),
    sessions: main.sessions,
    createRequestContext: adapter.createRequestContext,
    jsonSerializer: codec.jsonSerializer,
    createCodec: codec.createCodec,
    RedisStore: redis.RedisStore,
    RedisBackend: redis.RedisBackend,
    redisClientOptions: redis.redisClientOptions,
    ServerStore: store.ServerStore,
  };
}

/**
 * One request's cookies in memory: its Cookie header, and the Set-Cookie lines of its response. A class,
 * not an object of arrow functions: tsx's transform (which compiles this file, not the library) would wrap
 * each of those in a `__name` call, an `Object.defineProperty` per closure per request that only the
 * typed-sessions cases would pay (the floors make no closure per op).
 */
class MemoryCookies implements Adapter.CookieIo {
  readonly lines: string[] = [];
  readonly #cookie: string | undefined;

  constructor(cookie: string | undefined) {
    this.#cookie = cookie;
  }

  cookieHeader(): string | undefined {
    return this.#cookie;
  }

  getSetCookies(): readonly string[] {
    return this.lines;
  }

  setSetCookies(next: readonly string[]): void {
    // Not splice(0, length, ...next): a spread call and the splice builtin cost some 450 instructions a save
    // (callgrind), the harness's and not the library's.
    this.lines.length = 0;
    for (const line of next) this.lines.push(line);
  }
}

/**
 * A request whose Cookie header is the cookie the previous request's response set (one Set-Cookie line kept),
 * taken from the line as the floors take it (up to the first ";").
 */
export function memoryRequest(lib: Library, previous: readonly string[]) {
  const line = previous[0];
  const end = line?.indexOf(";") ?? -1;
  const io = new MemoryCookies(end < 0 ? line : line?.slice(0, end));
  return { ctx: lib.createRequestContext({}, io), lines: io.lines };
}

/** Sets each of `values` on `session`, as a handler sets the fields it changed. */
export function setAll(session: { set(key: string, value: unknown): void }, values: Record<string, unknown>): void {
  for (const key in values) session.set(key, values[key]);
}

/** The session values of op `i`. */
export function values(i: number): Record<string, unknown> {
  return { userId: 42, name: "kataras", roles: ["admin", "editor"], visits: i };
}

/**
 * One worker's op on RedisStore: change the worker's session, save it, load it back. Like the connect-redis
 * op, which writes the same sid every time, each worker keeps one session: its first op creates it (a new
 * id), every later op changes the session the previous op loaded, as a request does with an existing session.
 * With `other` (a second store on the same Redis and keys: another app server), the ops alternate between
 * the two, each loading what the other saved: a store never finds the very cookie and data it wrote
 * itself (see EncodedMemo), and decodes both, as behind a load balancer without sticky sessions.
 */
export function typedSessionsOp(lib: Library, store: StoreEntry.ServerStore, config: Main.SessionConfig = {}, other?: StoreEntry.ServerStore): Op {
  const manager = lib.sessions(NAME, store, config);
  const managers = [manager, other === undefined ? manager : lib.sessions(NAME, other, config)] as const;
  let request = memoryRequest(lib, []);
  let session: Awaited<ReturnType<(typeof managers)[0]["get"]>> | undefined;
  return async (i) => {
    session ??= await (i & 1 ? managers[1] : managers[0]).get(request.ctx);
    setAll(session, values(i));
    await session.save();
    request = memoryRequest(lib, request.lines);
    session = await (i & 1 ? managers[0] : managers[1]).get(request.ctx);
    if (session.get("visits") !== i || session.isNew) throw new Error("typed-sessions lost the session");
  };
}
