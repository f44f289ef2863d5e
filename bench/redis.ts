/**
 * RedisStore against its floors and against connect-redis (the store express-session users run), through each
 * one's API, in the same process and the same Redis: one "op" is a save followed by a load of the same session.
 *
 * - typed-sessions: change the worker's session, `session.save()` (codec encode of the id cookie and of the
 *   data: HMAC-SHA256, plus AES-CTR in the "encrypted" cases; the Set-Cookie header; one compare-and-set
 *   EVALSHA, since a save of a loaded session writes on top of the data as it is now) then the next request's
 *   `manager.get(ctx)` (cookie check, GET, codec decode). The library is the build (`dist/`, what `npm run
 *   bench` builds first; BENCH_TS_DIST names another), as the HTTP benchmark loads it, not the TypeScript
 *   sources: tsx's transform wraps every named closure in a `__name` call the build does not have.
 * - the floors (`redis-floor.ts`): node:crypto + ioredis with no library, on RedisStore's client options: the
 *   format floor (issue 14's: the same bytes, the same compare-and-set), the minimal floor (the same guarantees
 *   in the cheapest format), and the codec floor (the format floor's bytes through typed-sessions' codec).
 * - connect-redis 8 on ioredis: `store.set(sid, data)` (JSON.stringify, SET … EX) then `store.get(sid)`
 *   (GET, JSON.parse). No signing: express-session signs only the cookie, outside the store API. This is the
 *   baseline of issue 5.
 * - connect-redis plus the id-cookie signing express-session does around it on each request
 *   (cookie-signature `sign` when it sets the cookie, `unsign` when it reads it): issue 14's second reference.
 *
 * Every case sends two Redis commands per op and stores JSON-serializable values. The baseline's ioredis
 * client has the store's timeouts and reconnection settings but not its auto-pipelining (ioredis's default:
 * off). So that a reader can tell the client setting from the store, connect-redis also runs on a client with
 * the very options of RedisStore's (auto-pipelining on), and RedisStore also runs on a client without
 * auto-pipelining. typed-sessions runs with its default serializer (superjson) and with `serializer:
 * jsonSerializer` (what generated sessions of JSON-only schemas use, and what connect-redis does: JSON).
 * Every load of the main cases finds the id cookie and the data its own store signed (one app server, or
 * sticky sessions), which ServerStore does not decode again (EncodedMemo); the "two app servers" row takes
 * turns between two stores on one Redis, each loading what the other saved, so that every load decodes both.
 *
 * Each case runs in interleaved rounds of a fixed number of ops, one at a time (latency) and 32 at a time
 * (throughput), on workers made once per case and concurrency (each keeps its session from round to round,
 * as a server's requests keep their managers and stores); the median round is reported, and each ratio is
 * the median of the rounds' ratios (a case's round against the reference's round of the same pass), in
 * ops/s and in this process's CPU per op. Then the growth rows: RedisStore and the format floor
 * with 1,000 and with 100,000 sessions stored. Redis is `REDIS_URL` (default redis://127.0.0.1:6379).
 * With BENCH_TS_BASE_DIST (another build, e.g. an older commit's), RedisStore (json) also runs on it.
 */
import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { RedisStore as ConnectRedisStore } from "connect-redis";
import type { SessionData } from "express-session";
import { Redis } from "ioredis";
import type * as Main from "typed-sessions";
import type * as StoreEntry from "typed-sessions/store";
import { libraryPath } from "./http-ts-app.ts";
import { codecFloorOp, formatFloorCreate, formatFloorOp, formatFloorRead, loadFloorScript, minimalFloorOp } from "./redis-floor.ts";
import { type Library, NAME, type Op, TTL_SECONDS, loadLibrary, memoryRequest, setAll, typedSessionsOp, values } from "./redis-ops.ts";

const REDIS_URL = process.env["REDIS_URL"] ?? "redis://127.0.0.1:6379";
const OPS_PER_ROUND = 2000;
const ROUNDS = 7;

/** express-session's cookie signer (its own dependency, pinned to the version it uses). */
const signature = createRequire(import.meta.url)("cookie-signature") as {
  sign(value: string, secret: string): string;
  unsign(value: string, secret: string): string | false;
};
const COOKIE_SECRET = randomBytes(32).toString("hex");

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

/**
 * A case's workers at one concurrency, each with its own session and its next op number. Made once and kept
 * across rounds: a server's requests continue on the same managers and stores, and fresh workers every round
 * would start new sessions in the middle of the measure, a path the JIT had compiled the hot code without
 * (deoptimizations and recompiles among the timed ops; see bench/redis-instructions-run.ts).
 */
interface Workers {
  readonly ops: Op[];
  readonly next: number[];
}

function workersOf(makeOp: () => Op, concurrency: number): Workers {
  return { ops: Array.from({ length: concurrency }, makeOp), next: Array.from({ length: concurrency }, () => 0) };
}

/** What one round measured: ops per second of wall-clock time, and this process's CPU time per op (µs). */
interface Sample {
  readonly rate: number;
  readonly cpu: number;
}

/** Runs `ops` more ops on `workers`, all of them at once. */
async function round(workers: Workers, ops: number): Promise<Sample> {
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  const each = Math.ceil(ops / workers.ops.length);
  await Promise.all(
    workers.ops.map(async (op, index) => {
      const first = workers.next[index] ?? 0;
      workers.next[index] = first + each;
      for (let i = first; i < first + each; i++) await op(i);
    }),
  );
  const done = each * workers.ops.length;
  const cpu = process.cpuUsage(cpuStart);
  return { rate: done / (Number(process.hrtime.bigint() - start) / 1e9), cpu: (cpu.user + cpu.system) / done };
}

function median(list: readonly number[]): number {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/**
 * Every round's ops/s of every case, after one warm-up round each (JIT), the cases interleaved and their order
 * rotated each round: a case run right after another one pays for some of its garbage and cache misses (a
 * fixed order moved one build against another by 10-15 % one op at a time), so each takes each place in turn.
 */
async function measure(cases: ReadonlyArray<readonly [string, () => Op]>, concurrency: number, rounds = ROUNDS): Promise<Sample[][]> {
  const workers = cases.map(([, makeOp]) => workersOf(makeOp, concurrency));
  for (const each of workers) await round(each, OPS_PER_ROUND);
  const samples = cases.map(() => [] as Sample[]);
  for (let r = 0; r < rounds; r++) {
    for (let place = 0; place < cases.length; place++) {
      const index = (place + r) % cases.length;
      const each = workers[index];
      if (each !== undefined) samples[index]?.push(await round(each, OPS_PER_ROUND));
    }
  }
  return samples;
}

/** The median over rounds of `samples[r] / reference[r]`. */
function pairedRatio(samples: readonly number[], reference: readonly number[]): number {
  return median(samples.map((value, r) => value / (reference[r] ?? Number.NaN)));
}

/**
 * Prints the median round of each case and its ratios to the references (paired by round): by throughput
 * (ops/s), then by this process's CPU time per op, the app server's cost (the reference's CPU over the
 * case's: above 1 is cheaper), which a busy neighbour on the same cores moves less than it moves ops/s.
 */
function printRatios(title: string, labels: readonly string[], samples: readonly Sample[][], references: ReadonlyArray<readonly [string, number]>): void {
  const width = Math.max(...labels.map((label) => label.length), 10);
  const rates = samples.map((list) => list.map((sample) => sample.rate));
  // Inverted, so that a higher ratio is better in both halves of the table, as with ops/s.
  const cpuRates = samples.map((list) => list.map((sample) => 1 / sample.cpu));
  const names = (prefix: string) => references.map(([name]) => `${prefix}${name}`.padStart(10)).join("  ");
  console.log(`\n${title}`);
  console.log(`${"case".padEnd(width)}  ${"ops/s".padStart(8)}  ${"µs/op".padStart(7)}  ${names("")}  ${"CPU µs".padStart(7)}  ${names("cpu")}`);
  for (const [index, label] of labels.entries()) {
    const ratiosOf = (series: number[][]) =>
      references.map(([, ref]) => `${pairedRatio(series[index] ?? [], series[ref] ?? []).toFixed(2)}×`.padStart(10)).join("  ");
    const ops = median(rates[index] ?? []);
    const cpu = median((samples[index] ?? []).map((sample) => sample.cpu));
    console.log(
      `${label.padEnd(width)}  ${Math.round(ops).toLocaleString("en-US").padStart(8)}  ${(1e6 / ops).toFixed(2).padStart(7)}  ${ratiosOf(rates)}  ${cpu.toFixed(2).padStart(7)}  ${ratiosOf(cpuRates)}`,
    );
  }
}

async function reachable(client: Redis): Promise<string | undefined> {
  try {
    await client.ping();
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** Checks that RedisStore loads a session the format floor wrote, and the floor one RedisStore wrote. */
async function checkSameFormat(lib: Library, client: Redis, prefix: string, hashKey: Buffer): Promise<void> {
  const store = new lib.RedisStore({ client, prefix, hashKey, cookie: { maxAge: TTL_SECONDS } });
  const floor = { client, prefix, hashKey, ttlSeconds: TTL_SECONDS, values };
  const manager = lib.sessions(NAME, store, { serializer: lib.jsonSerializer });
  const fromFloor = await manager.get(memoryRequest(lib, [await formatFloorCreate(floor, values(7))]).ctx);
  if (fromFloor.isNew || fromFloor.get("visits") !== 7) throw new Error("RedisStore does not load what the format floor wrote");
  const request = memoryRequest(lib, []);
  const created = await manager.get(request.ctx);
  setAll(created, values(8));
  await created.save();
  if ((await formatFloorRead(floor, request.lines[0] ?? ""))["visits"] !== 8) throw new Error("the format floor does not read what RedisStore wrote");
  await store.clear();
  await store.close();
}

/** Benchmarks RedisStore against its floors and connect-redis; prints a skip line instead when Redis is not reachable. */
export async function runRedisBench(): Promise<void> {
  const lib = await loadLibrary(process.env["BENCH_TS_DIST"]);
  const baseSpec = process.env["BENCH_TS_BASE_DIST"];
  const base = baseSpec === undefined ? undefined : await loadLibrary(baseSpec);
  const storeOptions = lib.redisClientOptions(2000);
  // The baseline's client: ioredis defaults apart from the same timeouts and reconnection settings as ours,
  // and without auto-pipelining (the ioredis default), exactly as the baseline was first measured.
  const baselineOptions = { ...storeOptions, enableAutoPipelining: false };
  const clients = {
    ours: new Redis(REDIS_URL, storeOptions), // what createRedisStore({ url }) builds (auto-pipelining)
    oursEncrypted: new Redis(REDIS_URL, storeOptions),
    oursPlainClient: new Redis(REDIS_URL, baselineOptions), // our store without auto-pipelining
    oursBase: new Redis(REDIS_URL, storeOptions), // the base build, when given
    oursTwo: new Redis(REDIS_URL, storeOptions), // two stores taking turns, as two app servers
    theirs: new Redis(REDIS_URL, baselineOptions),
    theirsSame: new Redis(REDIS_URL, storeOptions), // connect-redis with the very options of our store
    floor: new Redis(REDIS_URL, storeOptions), // the floors, on our store's client options
    minimal: new Redis(REDIS_URL, storeOptions),
    codec: new Redis(REDIS_URL, storeOptions),
  };
  for (const client of Object.values(clients)) client.on("error", () => {});
  try {
    const problem = await reachable(clients.ours);
    if (problem !== undefined) {
      console.log(`Redis section skipped: no Redis at ${REDIS_URL} (${problem}). Start one or set REDIS_URL.`);
      return;
    }
    console.log(`typed-sessions build: ${libraryPath(process.env["BENCH_TS_DIST"])} (${lib.tag})${base === undefined ? "" : `; base: ${libraryPath(baseSpec)} (${base.tag})`}`);
    const run = randomBytes(4).toString("hex");
    const prefix = (name: string) => `bench:${run}:${name}:`;
    const hashKey = randomBytes(64);
    await loadFloorScript(clients.floor);
    await checkSameFormat(lib, clients.floor, prefix("check"), hashKey);
    const keys = { hashKey, cookie: { maxAge: TTL_SECONDS } };
    const plain = new lib.RedisStore({ client: clients.ours, prefix: prefix("ts"), ...keys });
    const encrypted = new lib.RedisStore({ client: clients.oursEncrypted, prefix: prefix("tse"), ...keys, blockKey: randomBytes(32) });
    const unpipelined = new lib.RedisStore({ client: clients.oursPlainClient, prefix: prefix("tsn"), ...keys });
    // Two app servers on one Redis, taking turns: each loads what the other saved. The second one's clock runs
    // a second behind, so the two never sign the very same text (a signed id cookie is the same text for a
    // whole second): no load finds what its own store wrote (EncodedMemo), every one decodes both.
    const server = (skew: number) => new lib.RedisStore({ client: clients.oursTwo, prefix: prefix("ts2"), ...keys, now: () => Date.now() / 1000 - skew });
    const servers = [server(0), server(1)] as const;
    const baseStore = base === undefined ? undefined : new base.RedisStore({ client: clients.oursBase, prefix: prefix("tsb"), ...keys });
    const connect = new ConnectRedisStore({ client: clients.theirs, prefix: prefix("cr"), ttl: TTL_SECONDS });
    const connectSame = new ConnectRedisStore({ client: clients.theirsSame, prefix: prefix("crs"), ttl: TTL_SECONDS });
    const json: Main.SessionConfig = { serializer: lib.jsonSerializer };
    const floorOf = (client: Redis, name: string) => ({ client, prefix: prefix(name), hashKey, ttlSeconds: TTL_SECONDS, values });
    const FLOOR = "floor (issue 14): same bytes, a compare-and-set, no library";
    const SIGNED = "connect-redis + express-session cookie signing";
    const BASELINE = "connect-redis (express-session store API)";
    const cases: Array<readonly [string, () => Op]> = [
      [BASELINE, () => connectRedisOp(connect)],
      [SIGNED, () => connectRedisOp(connect, true)],
      ["connect-redis, RedisStore's client options (auto-pipelining)", () => connectRedisOp(connectSame)],
      ["connect-redis + cookie signing, RedisStore's client options", () => connectRedisOp(connectSame, true)],
      [FLOOR, () => formatFloorOp(floorOf(clients.floor, "floor"))],
      ["minimal floor: hex MACs, no timestamps, compare-and-set", () => minimalFloorOp(floorOf(clients.minimal, "floorm"))],
      ["codec floor: the floor's bytes through typed-sessions' codec", () => codecFloorOp(floorOf(clients.codec, "floorc"), lib.createCodec)],
      ["typed-sessions RedisStore, signed (json), no auto-pipelining", () => typedSessionsOp(lib, unpipelined, json)],
      ["typed-sessions RedisStore, signed (superjson)", () => typedSessionsOp(lib, plain)],
      ["typed-sessions RedisStore, signed (json)", () => typedSessionsOp(lib, plain, json)],
      ["typed-sessions RedisStore, signed (json), two app servers", () => typedSessionsOp(lib, servers[0], json, servers[1])],
      ["typed-sessions RedisStore, signed + encrypted (superjson)", () => typedSessionsOp(lib, encrypted)],
      ["typed-sessions RedisStore, signed + encrypted (json)", () => typedSessionsOp(lib, encrypted, json)],
    ];
    if (base !== undefined && baseStore !== undefined) {
      cases.push([`typed-sessions RedisStore, signed (json) [base ${base.tag}]`, () => typedSessionsOp(base, baseStore, { serializer: base.jsonSerializer })]);
    }
    // BENCH_REDIS_CASES=floor,json keeps the cases whose label contains one of the words (the references stay).
    const only = process.env["BENCH_REDIS_CASES"]?.split(",");
    if (only !== undefined) {
      const keep = (label: string) => label === FLOOR || label === SIGNED || label === BASELINE || only.some((word) => label.includes(word));
      cases.splice(0, cases.length, ...cases.filter(([label]) => keep(label)));
    }
    const labels = cases.map(([label]) => label);
    const references: Array<readonly [string, number]> = [
      ["× floor", labels.indexOf(FLOOR)],
      ["× signed", labels.indexOf(SIGNED)],
      ["× baseln", labels.indexOf(BASELINE)],
    ];
    if (process.env["BENCH_REDIS_BREAKDOWN"] !== "0") {
      await commandsPerOp(clients.floor, [
        ["floor (issue 14)", () => formatFloorOp(floorOf(clients.floor, "floor"))],
        ["minimal floor", () => minimalFloorOp(floorOf(clients.minimal, "floorm"))],
        ["typed-sessions RedisStore, signed (json)", () => typedSessionsOp(lib, plain, json)],
        ["connect-redis (auto-pipelining)", () => connectRedisOp(connectSame)],
      ]);
      await breakdown(lib, hashKey);
    }
    console.log(`\nratios: × floor = to issue 14's floor; × signed = to ${SIGNED}; × baseln = to ${BASELINE} (issue 5)`);
    for (const concurrency of [1, 32]) {
      const samples = await measure(cases, concurrency);
      printRatios(`save + load, ${concurrency} in flight, ${OPS_PER_ROUND} ops × ${ROUNDS} rounds (median)`, labels, samples, references);
    }
    if (process.env["BENCH_REDIS_GROWTH"] !== "0") await growth(clients.ours, prefix("ts"), () => typedSessionsOp(lib, plain, json), () => formatFloorOp(floorOf(clients.floor, "floor")));
    await Promise.all([plain.clear(), encrypted.clear(), unpipelined.clear(), servers[0].clear(), baseStore?.clear(), connect.clear(), connectSame.clear()]);
    await Promise.all(["floor", "floorm", "floorc"].map((name) => new lib.RedisBackend({ client: clients.floor, prefix: prefix(name), commandTimeout: 2000, scanCount: 1000 }).clear()));
    await Promise.all([plain.close(), encrypted.close(), unpipelined.close(), ...servers.map((store) => store.close()), baseStore?.close()]);
  } finally {
    for (const client of Object.values(clients)) client.disconnect();
  }
}

/** Reads `INFO` counters: each command's calls, and the bytes Redis read and wrote. */
async function redisCounters(client: Redis): Promise<{ readonly calls: Map<string, number>; readonly input: number; readonly output: number }> {
  const [commands, stats] = await Promise.all([client.info("commandstats"), client.info("stats")]);
  const calls = new Map<string, number>();
  for (const [, name, count] of commands.matchAll(/cmdstat_(\w+):calls=(\d+)/g)) calls.set(name ?? "", Number(count));
  const field = (name: string) => Number(new RegExp(`${name}:(\\d+)`).exec(stats)?.[1] ?? Number.NaN);
  return { calls, input: field("total_net_input_bytes"), output: field("total_net_output_bytes") };
}

/**
 * What Redis sees per op, 32 in flight: the commands (a script's own GET and SET counted too, as Redis counts
 * them) and the bytes it reads and writes, from `INFO` before and after 2,000 ops (another client's commands
 * meanwhile would count too: the bench's Redis should be otherwise idle), and the socket writes per op.
 */
async function commandsPerOp(admin: Redis, cases: ReadonlyArray<readonly [string, () => Op]>): Promise<void> {
  const ops = OPS_PER_ROUND;
  console.log(`\nRedis commands and bytes per save + load (32 in flight, ${ops} ops; INFO deltas)`);
  const width = Math.max(...cases.map(([label]) => label.length));
  for (const [label, makeOp] of cases) {
    const workers = workersOf(makeOp, 32);
    await round(workers, 64); // the sessions exist and the script is loaded
    const before = await redisCounters(admin);
    await round(workers, ops);
    const after = await redisCounters(admin);
    const commands = [...after.calls]
      .map(([name, count]) => [name, (count - (before.calls.get(name) ?? 0)) / ops] as const)
      .filter(([name, perOp]) => perOp >= 0.01 && name !== "info")
      .map(([name, perOp]) => `${name.toUpperCase()} ${perOp.toFixed(2)}`);
    const bytes = `${Math.round((after.input - before.input) / ops)} B in, ${Math.round((after.output - before.output) / ops)} B out`;
    console.log(`${label.padEnd(width)}  ${bytes.padEnd(20)}  ${commands.join(", ")}`);
  }
}

/**
 * Where the CPU of one save + load goes without Redis: each case one op at a time on an ioredis stand-in that
 * answers at once (no sockets, no Redis; the compare-and-set always finds what it expects), CPU time per op,
 * interleaved rounds with the order rotated. From the floors up: the format's cost (minimal → floor), the
 * codec's implementation (floor → codec floor), the store layer (ServerStore's prepare + commit + load called
 * as the session layer calls them), the session layer (manager, lifecycle, change tracking, cookie headers),
 * and RedisBackend's own (the ServerStore case runs on a backend with modify's semantics answering at once).
 */
async function breakdown(lib: Library, hashKey: Buffer): Promise<void> {
  const standIn = () => {
    const map = new Map<string, string>();
    return {
      options: { enableAutoPipelining: true, commandTimeout: 2000 },
      get: (key: string) => Promise.resolve(map.get(key) ?? null),
      set: (key: string, value: string) => (map.set(key, value), Promise.resolve("OK")),
      evalsha: (_sha: string, _keys: number, key: string, ...args: string[]) => (map.set(key, args[args.length - 2] ?? ""), Promise.resolve(1)),
      del: (key: string) => (map.delete(key), Promise.resolve(1)),
    } as unknown as Redis;
  };
  const floor = () => ({ client: standIn(), prefix: "p:", hashKey, ttlSeconds: TTL_SECONDS, values });
  const json: Main.SessionConfig = { serializer: lib.jsonSerializer };
  const instant = (): StoreEntry.SessionBackend => {
    const map = new Map<string, string>();
    return {
      read: (id) => Promise.resolve(map.get(id)),
      write: (id, data) => (map.set(id, data), Promise.resolve()),
      delete: (id) => (map.delete(id), Promise.resolve()),
      clear: () => Promise.resolve(),
      modify(id, next, expected) {
        const wanted = next(expected ?? map.get(id));
        if (wanted !== undefined) map.set(id, wanted.data);
        return Promise.resolve(wanted !== undefined);
      },
    };
  };
  const storeLayer = (): Op => {
    const store = new lib.ServerStore(instant(), { hashKey, cookie: { maxAge: TTL_SECONDS } });
    const id = store.newId();
    let revision: string | undefined;
    return async (i) => {
      const now = Math.floor(store.now());
      const update = revision !== undefined;
      const preparing = store.prepare({
        name: NAME, id, record: { values: values(i), createdAt: now, accessedAt: now }, config: json, cookie: store.cookie,
        ttl: TTL_SECONDS, mode: update ? "update" : "create", changed: update ? CHANGED : undefined, revision,
      });
      const prepared = preparing instanceof Promise ? await preparing : preparing; // node:crypto: no promise, as in the lifecycle
      await prepared.commit?.();
      const loaded = await store.load(NAME, prepared.cookieValue, json);
      if (loaded.values["visits"] !== i) throw new Error("ServerStore lost the session");
      revision = loaded.revision;
    };
  };
  const cases: Array<readonly [string, () => Op]> = [
    ["minimal floor", () => minimalFloorOp(floor())],
    ["floor (issue 14)", () => formatFloorOp(floor())],
    ["codec floor", () => codecFloorOp(floor(), lib.createCodec)],
    ["ServerStore prepare + commit + load (no session layer)", storeLayer],
    ["sessions + ServerStore on a backend answering at once", () => typedSessionsOp(lib, new lib.ServerStore(instant(), { hashKey, cookie: { maxAge: TTL_SECONDS } }), json)],
    ["sessions + RedisStore (json) on the ioredis stand-in", () => typedSessionsOp(lib, new lib.RedisStore({ client: standIn(), prefix: "p:", hashKey, cookie: { maxAge: TTL_SECONDS } }), json)],
  ];
  const ops = 10_000;
  const cpuRound = async (makeOp: () => Op): Promise<number> => {
    const op = makeOp();
    await op(-1); // the session exists
    const start = process.cpuUsage();
    for (let i = 0; i < ops; i++) await op(i);
    const used = process.cpuUsage(start);
    return (used.user + used.system) / ops;
  };
  for (const [, makeOp] of cases) await cpuRound(makeOp);
  const samples = cases.map(() => [] as number[]);
  for (let r = 0; r < ROUNDS; r++) {
    for (let place = 0; place < cases.length; place++) {
      const index = (place + r) % cases.length;
      const makeOp = cases[index]?.[1];
      if (makeOp !== undefined) samples[index]?.push(await cpuRound(makeOp));
    }
  }
  console.log(`\nCPU per save + load without Redis (an ioredis stand-in answering at once), one at a time, ${ops} ops × ${ROUNDS} rounds (median)`);
  const width = Math.max(...cases.map(([label]) => label.length));
  let previous: number | undefined;
  for (const [index, [label]] of cases.entries()) {
    const micros = median(samples[index] ?? []);
    console.log(`${label.padEnd(width)}  ${micros.toFixed(2).padStart(6)} µs  ${previous === undefined ? "" : `${micros >= previous ? "+" : ""}${(micros - previous).toFixed(2)}`}`);
    previous = micros;
  }
}

/** What the store layer's updates changed, as the session layer would tell it. */
const CHANGED: ReadonlySet<string> = new Set(["visits"]);

/** The growth rows' sizes: how many sessions Redis holds besides the workers' own. */
const GROWTH_SIZES = [1_000, 100_000] as const;
/** How many times the growth rows go from 1k to 100k stored sessions. */
const GROWTH_CYCLES = 3;
/** How long filling Redis for the growth rows may take in all (the fills alone, not the rounds between them). */
const FILL_BUDGET_MS = 30_000;

/**
 * The growth rows: RedisStore (json) and the format floor, one at a time and 32 at a time, with 1,000 and with
 * 100,000 other sessions stored under the store's prefix (session-sized values with the sessions' expiry,
 * written by pipelined SETs of 1,000), in three cycles of 1k then 100k so that a burst of noise or a drift
 * shows as a spread; each cycle gives one ratio (100k against the 1k just before it). The filler is removed
 * afterwards (UNLINK, by the keys written).
 */
async function growth(client: Redis, prefix: string, store: () => Op, floor: () => Op): Promise<void> {
  const filler: string[] = [];
  const value = randomBytes(174).toString("base64url").padEnd(232, "="); // the size of a stored session
  let fillLeft = FILL_BUDGET_MS;
  const resize = async (size: number): Promise<boolean> => {
    const start = Date.now();
    while (filler.length > size) {
      const batch = filler.splice(Math.max(size, filler.length - 1000));
      await client.unlink(...batch);
    }
    while (filler.length < size) {
      if (Date.now() - start > fillLeft) return false;
      const pipeline = client.pipeline();
      for (let i = 0; i < 1000 && filler.length < size; i++) {
        const key = prefix + randomBytes(32).toString("base64url");
        filler.push(key);
        pipeline.set(key, value, "EX", TTL_SECONDS);
      }
      await pipeline.exec();
    }
    fillLeft -= Date.now() - start;
    return true;
  };
  const labels = ["typed-sessions RedisStore, signed (json)", "floor (issue 14)"] as const;
  /** label|concurrency → the µs/op of each phase, in order (1k, 100k, 1k, 100k, …). */
  const phases = new Map<string, number[]>();
  try {
    for (let cycle = 0; cycle < GROWTH_CYCLES; cycle++) {
      for (const size of GROWTH_SIZES) {
        if (!(await resize(size))) {
          console.log(`\nGrowth rows skipped: filling Redis with ${size.toLocaleString("en-US")} sessions took over ${FILL_BUDGET_MS / 1000} s.`);
          return;
        }
        for (const concurrency of [1, 32]) {
          const samples = await measure([[labels[0], store], [labels[1], floor]], concurrency, 2);
          for (const [index, label] of labels.entries()) {
            const key = `${label}|${concurrency}`;
            phases.set(key, [...(phases.get(key) ?? []), 1e6 / median((samples[index] ?? []).map((sample) => sample.rate))]);
          }
        }
      }
    }
  } finally {
    fillLeft = Infinity;
    await resize(0);
  }
  console.log(
    `\nGrowth: µs per save + load with 1,000 and with 100,000 other sessions stored (${GROWTH_CYCLES} cycles of 1k then 100k, ${OPS_PER_ROUND} ops × 2 rounds each; medians, and the cycles' 100k / 1k ratios)`,
  );
  const width = Math.max(...labels.map((label) => label.length));
  console.log(`${"case".padEnd(width)}  in flight       1k     100k  100k / 1k (cycles)`);
  for (const label of labels) {
    for (const concurrency of [1, 32]) {
      const list = phases.get(`${label}|${concurrency}`) ?? [];
      const small = list.filter((_, index) => index % 2 === 0);
      const large = list.filter((_, index) => index % 2 === 1);
      const ratios = large.map((us, index) => us / (small[index] ?? Number.NaN));
      const cells = [median(small), median(large)].map((us) => us.toFixed(2).padStart(7)).join("  ");
      console.log(`${label.padEnd(width)}  ${String(concurrency).padStart(9)}  ${cells}  ${median(ratios).toFixed(2)}× (${ratios.map((ratio) => ratio.toFixed(2)).join(", ")})`);
    }
  }
}
