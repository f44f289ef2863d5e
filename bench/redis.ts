/**
 * RedisStore against connect-redis (the store express-session users run), through each one's store API,
 * in the same process and the same Redis: one "op" is a save followed by a load of the same session.
 *
 * - typed-sessions: change the worker's session, `store.save(ctx, session)` (codec encode: HMAC-SHA256,
 *   plus AES-CTR in the "encrypted" case; SET … EX) then `store.get(ctx, name)` (cookie check, GET, codec
 *   decode).
 * - connect-redis 8 on ioredis: `store.set(sid, data)` (JSON.stringify, SET … EX) then `store.get(sid)`
 *   (GET, JSON.parse). No signing: express-session signs only the cookie, outside the store API. This is the
 *   baseline of issue 5.
 * - connect-redis plus the id-cookie signing express-session does around it on each request
 *   (cookie-signature `sign` when it sets the cookie, `unsign` when it reads it): the same work as
 *   typed-sessions' id cookie, for a like-with-like reading. Not the baseline.
 * - the floor (`redis-floor.ts`): node:crypto + ioredis with no library, signing the id cookie and the data
 *   at rest as RedisStore must, on RedisStore's client options: the most any such store could reach. And
 *   the codec floor: the same with typed-sessions' gorilla-compatible codec and no store layer.
 *
 * Both sides send two Redis commands per op (SET with EX, then GET) and store JSON-serializable values.
 * The baseline's ioredis client has the store's timeouts and reconnection settings but not its
 * auto-pipelining (ioredis's default: off). So that a reader can tell the client setting from the store,
 * connect-redis also runs on a client with the very options of RedisStore's (auto-pipelining on), and
 * RedisStore also runs on a client without auto-pipelining. typed-sessions runs with its default serializer
 * (superjson) and with `serializer: jsonSerializer` (what generated sessions of JSON-only schemas use, and
 * what connect-redis does: JSON).
 *
 * Each case runs in interleaved rounds of a fixed number of ops, one at a time (latency) and 32 at a time
 * (throughput); the median round is reported. Redis is `REDIS_URL` (default redis://127.0.0.1:6379).
 */
import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { RedisStore as ConnectRedisStore } from "connect-redis";
import type { SessionData } from "express-session";
import { Redis } from "ioredis";
import { type SessionConfig, sessions } from "typed-sessions";
import { createRequestContext } from "typed-sessions/adapter";
import { jsonSerializer } from "typed-sessions/codec";
import { RedisBackend, RedisStore, redisClientOptions } from "typed-sessions/redis";
import { type BenchResult, printTable } from "./harness.ts";
import { codecFloorOp, signedFloorOp } from "./redis-floor.ts";

const REDIS_URL = process.env["REDIS_URL"] ?? "redis://127.0.0.1:6379";
const OPS_PER_ROUND = 2000;
const ROUNDS = 5;
const NAME = "sid";
const TTL_SECONDS = 3600;

type Op = (i: number) => Promise<unknown>;

/** express-session's cookie signer (its own dependency, pinned to the version it uses). */
const signature = createRequire(import.meta.url)("cookie-signature") as {
  sign(value: string, secret: string): string;
  unsign(value: string, secret: string): string | false;
};
const COOKIE_SECRET = randomBytes(32).toString("hex");

/** A request whose Cookie header is the cookie the previous request's response set (one Set-Cookie line kept). */
function memoryRequest(previous: readonly string[]) {
  const cookie = previous[0]?.split(";")[0];
  const lines: string[] = [];
  const ctx = createRequestContext({}, {
    cookieHeader: () => cookie,
    getSetCookies: () => lines,
    setSetCookies: (next) => void lines.splice(0, lines.length, ...next),
  });
  return { ctx, lines };
}

function values(i: number): Record<string, unknown> {
  return { userId: 42, name: "kataras", roles: ["admin", "editor"], visits: i };
}

/**
 * One worker's op on RedisStore: change the worker's session, save it, load it back. Like the connect-redis
 * op, which writes the same sid every time, each worker keeps one session: its first op creates it (a new
 * id), every later op changes the session the previous op loaded, as a request does with an existing session.
 */
function typedSessionsOp(store: RedisStore, config: SessionConfig = {}): Op {
  const manager = sessions(NAME, store, config);
  let request = memoryRequest([]);
  let session: Awaited<ReturnType<typeof manager.get>> | undefined;
  return async (i) => {
    session ??= await manager.get(request.ctx);
    for (const [key, value] of Object.entries(values(i))) session.set(key, value);
    await session.save();
    request = memoryRequest(request.lines);
    session = await manager.get(request.ctx);
    if (session.get("visits") !== i || session.isNew) throw new Error("typed-sessions lost the session");
  };
}

function connectRedisOp(store: ConnectRedisStore, signCookie = false): Op {
  const sid = randomBytes(24).toString("base64url");
  return async (i) => {
    const expires = new Date(Date.now() + TTL_SECONDS * 1000);
    const cookie = { originalMaxAge: TTL_SECONDS * 1000, expires, httpOnly: true, path: "/" };
    await store.set(sid, { cookie, ...values(i) } as unknown as SessionData);
    let id = sid;
    if (signCookie) {
      const cookieValue = `s:${signature.sign(sid, COOKIE_SECRET)}`; // express-session's setcookie
      const unsigned = signature.unsign(cookieValue.slice(2), COOKIE_SECRET); // and its getcookie
      if (unsigned === false) throw new Error("cookie-signature refused its own cookie");
      id = unsigned;
    }
    const loaded = (await store.get(id)) as unknown as Record<string, unknown> | null;
    if (loaded?.["visits"] !== i) throw new Error("connect-redis lost the session");
  };
}

/** Runs `ops` ops, `concurrency` at a time (each worker with its own session); returns ops/s. */
async function round(makeOp: () => Op, ops: number, concurrency: number): Promise<number> {
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      const op = makeOp();
      for (let i = 0; i < ops / concurrency; i++) await op(i);
    }),
  );
  return ops / (Number(process.hrtime.bigint() - start) / 1e9);
}

async function measure(cases: ReadonlyArray<[string, () => Op]>, concurrency: number): Promise<BenchResult[]> {
  for (const [, makeOp] of cases) await round(makeOp, OPS_PER_ROUND, concurrency); // warm-up (JIT)
  const samples = cases.map(() => [] as number[]);
  for (let r = 0; r < ROUNDS; r++) {
    for (const [index, [, makeOp]] of cases.entries()) samples[index]?.push(await round(makeOp, OPS_PER_ROUND, concurrency));
  }
  return cases.map(([label], index) => {
    const sorted = [...(samples[index] ?? [])].sort((a, b) => a - b);
    return { label, opsPerSecond: sorted[Math.floor(sorted.length / 2)] ?? 0 };
  });
}

async function reachable(client: Redis): Promise<string | undefined> {
  try {
    await client.ping();
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** Benchmarks RedisStore against connect-redis; prints a skip line instead when Redis is not reachable. */
export async function runRedisBench(): Promise<void> {
  // The baseline's client: ioredis defaults apart from the same timeouts and reconnection settings as ours,
  // and without auto-pipelining (the ioredis default), exactly as the baseline was first measured.
  const baselineOptions = { ...redisClientOptions(2000), enableAutoPipelining: false };
  const clients = [
    new Redis(REDIS_URL, redisClientOptions(2000)), // what createRedisStore({ url }) builds (auto-pipelining)
    new Redis(REDIS_URL, redisClientOptions(2000)),
    new Redis(REDIS_URL, baselineOptions),
    new Redis(REDIS_URL, redisClientOptions(2000)), // connect-redis with the very options of our store
    new Redis(REDIS_URL, baselineOptions), // our store without auto-pipelining: the store's own share
    new Redis(REDIS_URL, redisClientOptions(2000)), // the no-library floor, on our store's client options
  ];
  for (const client of clients) client.on("error", () => {});
  const [ours, oursEncrypted, theirs, theirsSame, oursPlainClient, floorClient] = clients as [Redis, Redis, Redis, Redis, Redis, Redis];
  try {
    const problem = await reachable(ours);
    if (problem !== undefined) {
      console.log(`Redis section skipped: no Redis at ${REDIS_URL} (${problem}). Start one or set REDIS_URL.`);
      return;
    }
    const run = randomBytes(4).toString("hex");
    const hashKey = randomBytes(64);
    const plain = new RedisStore({ client: ours, prefix: `bench:${run}:ts:`, hashKey, cookie: { maxAge: TTL_SECONDS } });
    const encrypted = new RedisStore({
      client: oursEncrypted,
      prefix: `bench:${run}:tse:`,
      hashKey,
      blockKey: randomBytes(32),
      cookie: { maxAge: TTL_SECONDS },
    });
    const unpipelined = new RedisStore({ client: oursPlainClient, prefix: `bench:${run}:tsn:`, hashKey, cookie: { maxAge: TTL_SECONDS } });
    const connect = new ConnectRedisStore({ client: theirs, prefix: `bench:${run}:cr:`, ttl: TTL_SECONDS });
    const connectSame = new ConnectRedisStore({ client: theirsSame, prefix: `bench:${run}:crs:`, ttl: TTL_SECONDS });
    const json: SessionConfig = { serializer: jsonSerializer };
    const floor = { client: floorClient, prefix: `bench:${run}:floor:`, hashKey, ttlSeconds: TTL_SECONDS, values };
    const cases: Array<[string, () => Op]> = [
      ["connect-redis (express-session store API)", () => connectRedisOp(connect)],
      ["connect-redis + express-session cookie signing", () => connectRedisOp(connect, true)],
      ["connect-redis, RedisStore's client options (auto-pipelining)", () => connectRedisOp(connectSame)],
      ["connect-redis + cookie signing, RedisStore's client options", () => connectRedisOp(connectSame, true)],
      [
        "floor: node:crypto + ioredis, signed id + signed data, no library",
        () => signedFloorOp(floor),
      ],
      [
        "codec floor: typed-sessions codec + ioredis, no store layer",
        () => codecFloorOp(floor),
      ],
      ["typed-sessions RedisStore, signed (json), no auto-pipelining", () => typedSessionsOp(unpipelined, json)],
      ["typed-sessions RedisStore, signed (superjson)", () => typedSessionsOp(plain)],
      ["typed-sessions RedisStore, signed (json)", () => typedSessionsOp(plain, json)],
      ["typed-sessions RedisStore, signed + encrypted (superjson)", () => typedSessionsOp(encrypted)],
      ["typed-sessions RedisStore, signed + encrypted (json)", () => typedSessionsOp(encrypted, json)],
    ];
    for (const concurrency of [1, 32]) {
      const results = await measure(cases, concurrency);
      printTable(`save + load, ${concurrency} in flight, ${OPS_PER_ROUND} ops × ${ROUNDS} rounds (median)`, results, cases[0]![0]);
    }
    const floorKeys = new RedisBackend({ client: floorClient, prefix: `bench:${run}:floor:`, commandTimeout: 2000, scanCount: 100 });
    await Promise.all([plain.clear(), encrypted.clear(), unpipelined.clear(), connect.clear(), connectSame.clear(), floorKeys.clear()]);
    await Promise.all([plain.close(), encrypted.close(), unpipelined.close()]);
  } finally {
    for (const client of clients) client.disconnect();
  }
}
