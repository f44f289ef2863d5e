// The child of bench/redis-instructions.ts, run under callgrind: one Redis case, `warm-up` ops then `ops`
// more, `concurrency` workers at a time (each with its own session, as in bench/redis.ts), against the Redis
// at REDIS_URL. Two runs with different counts differ by the extra ops' instructions alone: startup, module
// loading, connecting and warm-up cancel. Only this process is counted, not Redis.
//   tsx bench/redis-instructions-run.ts <floor|json|json-two|superjson> <ops> [concurrency]
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { formatFloorOp, loadFloorScript } from "./redis-floor.ts";
import { type Op, TTL_SECONDS, loadLibrary, typedSessionsOp, values } from "./redis-ops.ts";

const REDIS_URL = process.env["REDIS_URL"] ?? "redis://127.0.0.1:6379";
/** Ops before the counted ones: fewer leave tier-up compiles (on the main thread here) among them. */
const WARM_UP = 8000;
/** A command's deadline: generous, since everything runs some 50 times slower under callgrind. */
const TIMEOUT_MS = 30_000;

const [name = "json", count = "2048", inFlight = "32"] = process.argv.slice(2);
const lib = await loadLibrary(process.env["BENCH_TS_DIST"]);
const client = new Redis(REDIS_URL, lib.redisClientOptions(TIMEOUT_MS));
const prefix = `bench:ir:${randomBytes(4).toString("hex")}:`;
const hashKey = randomBytes(64);
await loadFloorScript(client);
const store = new lib.RedisStore({ client, prefix, hashKey, cookie: { maxAge: TTL_SECONDS } });
/** A second app server's store on the same Redis and keys, its clock a second behind so the two never sign the same text. */
const otherStore = new lib.RedisStore({ client, prefix, hashKey, cookie: { maxAge: TTL_SECONDS }, now: () => Date.now() / 1000 - 1 });
const cases: Record<string, () => Op> = {
  floor: () => formatFloorOp({ client, prefix, hashKey, ttlSeconds: TTL_SECONDS, values }),
  json: () => typedSessionsOp(lib, store, { serializer: lib.jsonSerializer }),
  "json-two": () => typedSessionsOp(lib, store, { serializer: lib.jsonSerializer }, otherStore),
  superjson: () => typedSessionsOp(lib, store),
};
const makeOp = cases[name];
if (makeOp === undefined) throw new Error(`unknown case ${name}; one of ${Object.keys(cases).join(", ")}`);

/**
 * The workers, each with its own session, made once: the counted ops continue the warm-up's workers, as a
 * server's requests continue on the same managers and stores. Fresh workers for the counted ops would start
 * new sessions there, a path the JIT compiled the hot code without; the deoptimizations and recompiles
 * that followed landed among the counted ops (some 27,000 instructions an op of TurboFan's for RedisStore,
 * 5,000 for the floor, one at a time): a server whose traffic mixes new and returning sessions compiles
 * both paths from the start, and pays that once, not per request.
 */
const workers = Array.from({ length: Number(inFlight) }, () => makeOp());
const concurrency = workers.length;

/** `ops` more ops, spread over the workers. */
async function run(ops: number): Promise<void> {
  await Promise.all(
    workers.map(async (op) => {
      for (let i = 0; i < ops / concurrency; i++) await op(i);
    }),
  );
}

try {
  await run(WARM_UP);
  await run(Number(count));
} finally {
  await new lib.RedisBackend({ client, prefix, commandTimeout: TIMEOUT_MS, scanCount: 1000 }).clear();
  client.disconnect();
}
