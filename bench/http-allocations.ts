// Bytes allocated per request by the HTTP bench's cookie handlers, and by which functions: V8's sampling heap
// profiler over the very handler loop bench/http-instructions-run.ts counts (node's own request and response
// objects, no socket), with the objects the garbage collector has already freed kept in the profile, so the
// figure is what a request allocates, not what it leaves behind. Sampling is Poisson (an average interval of
// 128 bytes): runs agree within about 1 %. What a request allocates a server pays twice for on a busy host
// (the scavenges, and the cache lines the new objects take), beyond the instructions callgrind counts.
//   npm run build && npx tsx bench/http-allocations.ts [cases…]    # default: gorilla-cookie ts-cookie
import { Session } from "node:inspector/promises";
import { callHandler, firstCookie } from "./http-loop.ts";
import { type HttpCase, makeApp } from "./http-server.ts";

const REQUESTS = Number(process.env["BENCH_ALLOC_REQUESTS"] ?? 20_000);
const TOP = Number(process.env["BENCH_ALLOC_TOP"] ?? 12);

interface ProfileNode {
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly selfSize: number;
  readonly children: readonly ProfileNode[];
}

/** Sums the sampled bytes of `node`'s tree by allocating function (its name, file and line). */
function bytesByFunction(node: ProfileNode, into = new Map<string, number>()): Map<string, number> {
  if (node.selfSize > 0) {
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url === "" ? "(native)" : `${url.split("/").slice(-2).join("/")}:${lineNumber + 1}`;
    const key = `${functionName === "" ? "(anonymous)" : functionName} ${where}`;
    into.set(key, (into.get(key) ?? 0) + node.selfSize);
  }
  for (const child of node.children) bytesByFunction(child, into);
  return into;
}

const cases = (process.argv.slice(2).length > 0 ? process.argv.slice(2) : ["gorilla-cookie", "ts-cookie"]) as HttpCase[];
const session = new Session();
session.connect();
const totals = new Map<string, number>();
for (const name of cases) {
  const app = await makeApp(name);
  const cookie = await firstCookie(app.handler);
  for (let i = 0; i < REQUESTS; i++) await callHandler(app.handler, cookie); // warm-up (JIT)
  await session.post("HeapProfiler.startSampling", { samplingInterval: 128, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  for (let i = 0; i < REQUESTS; i++) await callHandler(app.handler, cookie);
  const { profile } = await session.post("HeapProfiler.stopSampling");
  app.cleanup?.();
  const byFunction = bytesByFunction(profile.head as unknown as ProfileNode);
  const total = [...byFunction.values()].reduce((sum, bytes) => sum + bytes, 0) / REQUESTS;
  totals.set(name, total);
  console.log(`\n${name}: ${Math.round(total).toLocaleString("en-US")} bytes allocated per request (${REQUESTS.toLocaleString("en-US")} requests sampled)`);
  for (const [where, bytes] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, TOP)) {
    console.log(`${String(Math.round(bytes / REQUESTS)).padStart(7)} B  ${where}`);
  }
}
session.disconnect();
const floor = totals.get("gorilla-cookie");
for (const [name, total] of totals) {
  if (name !== "gorilla-cookie" && floor !== undefined) console.log(`\n${name} allocates ${(total / floor).toFixed(2)}× the floor's bytes per request (+${Math.round(total - floor).toLocaleString("en-US")} B)`);
}
