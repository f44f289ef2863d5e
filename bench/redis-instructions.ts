// Instructions per save + load of the Redis benchmark's main cases in the Node process, counted by callgrind
// (which counts instructions whatever else the machine does; Redis, another process, is not counted): the
// format floor (bench/redis-floor.ts) and RedisStore (json, superjson) through the session API, 32 in flight
// by default (where the client's CPU limits throughput) or as BENCH_IR_CONCURRENCY says. For each case the
// child (bench/redis-instructions-run.ts) runs twice under valgrind, with `low` and `high` ops after the same
// warm-up; (Ir(high) - Ir(low)) / (high - low) is one op. Needs valgrind and a Redis at REDIS_URL; about
// 5 minutes a case. The window is 12,288 ops: the child does a mark-compact every ~7,000 ops, and a window of
// 4,096 held one more or one fewer from run to run (±8 % of an op); over 12,288 two runs agree within a few %.
//   npm run build && npx tsx bench/redis-instructions.ts [floor json json-two superjson]   # default: floor json
// (json-two: two RedisStores taking turns, as two app servers, so each load decodes what the other saved)
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { callgrindInstructions, hasValgrind } from "./callgrind.ts";

const here = dirname(fileURLToPath(import.meta.url));
const LOW = Number(process.env["BENCH_IR_LOW"] ?? 2048);
const HIGH = Number(process.env["BENCH_IR_HIGH"] ?? 14336);
const CONCURRENCY = process.env["BENCH_IR_CONCURRENCY"] ?? "32";

/** Total instructions of one child run. */
function instructions(name: string, ops: number): number {
  return callgrindInstructions(join(here, "redis-instructions-run.ts"), [name, String(ops), CONCURRENCY]);
}

if (!hasValgrind()) process.exit(0);
const cases = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ["floor", "json"];
const perOp = new Map<string, number>();
for (const name of cases) {
  const ir = (instructions(name, HIGH) - instructions(name, LOW)) / (HIGH - LOW);
  perOp.set(name, ir);
  console.log(`${name.padEnd(10)} ${Math.round(ir).toLocaleString("en-US").padStart(9)} instructions per save + load, ${CONCURRENCY} in flight`);
}
const floor = perOp.get("floor");
for (const [name, ir] of perOp) {
  if (name !== "floor" && floor !== undefined) console.log(`floor / ${name}: ${(floor / ir).toFixed(3)} (instructions)`);
}
