// Instructions per request of the HTTP bench's cookie handlers, counted by callgrind (which counts
// instructions whatever else the machine does: repeated runs of one build agree within 2-3 %, per-process
// hash seeds and JIT timing aside, on a host where server CPU moves by tens of percent). For each case, the child
// (bench/http-instructions-run.ts) runs twice under valgrind, with `low` and `high` requests after as many
// warm-up requests; (Ir(high) - Ir(low)) / (2 (high - low)) is one request. Runs only where valgrind is
// installed (apt-get install valgrind); about 5 minutes for two cases. The warm-up matters: with fewer than
// some 8,000 requests before the counted ones, tiering-up (compiling under --single-threaded runs on the
// main thread) still lands among them.
//   npm run build && npx tsx bench/http-instructions.ts [cases…]    # default: gorilla-cookie ts-cookie
//   BENCH_TS_BASE_DIST=/tmp/old-ts npx tsx bench/http-instructions.ts gorilla-cookie ts-cookie ts-cookie-base
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { callgrindInstructions, hasValgrind } from "./callgrind.ts";

const here = dirname(fileURLToPath(import.meta.url));
const LOW = Number(process.env["BENCH_IR_LOW"] ?? 8000);
const HIGH = Number(process.env["BENCH_IR_HIGH"] ?? 20000);

/** Total instructions of one child run. */
function instructions(name: string, requests: number): number {
  return callgrindInstructions(join(here, "http-instructions-run.ts"), [name, String(requests)]);
}

if (!hasValgrind()) process.exit(0);
const cases = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ["gorilla-cookie", "ts-cookie"];
const perRequest = new Map<string, number>();
for (const name of cases) {
  const ir = (instructions(name, HIGH) - instructions(name, LOW)) / (2 * (HIGH - LOW));
  perRequest.set(name, ir);
  console.log(`${name.padEnd(16)} ${Math.round(ir).toLocaleString("en-US").padStart(9)} instructions per request`);
}
const floor = perRequest.get("gorilla-cookie");
for (const [name, ir] of perRequest) {
  if (name !== "gorilla-cookie" && floor !== undefined) console.log(`floor / ${name}: ${(floor / ir).toFixed(3)} (instructions)`);
}
