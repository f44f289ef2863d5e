// Why a handler costs its server three to four times what it costs alone in a loop: the HTTP bench's (b₁)
// floor and (b) typed-sessions cookie handlers (the very handlers of bench/http-server.ts, on node's own
// request and response objects, as bench/http-loop.ts runs them), timed per request either back to back
// ("hot": code and data stay in the CPU's caches) or with an 8 MiB buffer walked before each request
// ("cold": the caches and branch predictors hold other work, as in a server that parses HTTP and makes
// system calls between two handler runs). Only the handler's own time is counted. The two take turns, the
// order swapped each round; medians of 20 rounds.
//   npm run build && npx tsx bench/http-cold.ts hot      (or cold)
import { exchange, firstCookie } from "./http-loop.ts";
import { makeApp } from "./http-server.ts";

const mode = process.argv[2];
if (mode !== "hot" && mode !== "cold") {
  console.error("usage: npx tsx bench/http-cold.ts <hot|cold>");
  process.exit(2);
}
const cold = mode === "cold";

const junk = new Uint32Array(2 * 1024 * 1024);
let sink = 0;
/** Walks 8 MiB, one cache line in four words: what a server's other work does to the caches between requests. */
function thrash(): void {
  for (let i = 0; i < junk.length; i += 16) sink += (junk[i] as number)++;
}

const cases = [
  { name: "(b₁) gorilla-format floor", app: await makeApp("gorilla-cookie") },
  { name: "(b) typed-sessions cookie", app: await makeApp("ts-cookie") },
].map((c) => ({ ...c, cookie: undefined as string | undefined, samples: [] as number[] }));
for (const c of cases) c.cookie = await firstCookie(c.app.handler);

const requests = cold ? 300 : 3_000;
for (let round = 0; round <= 20; round++) {
  for (const c of round % 2 === 0 ? cases : [...cases].reverse()) {
    let elapsed = 0n;
    for (let i = 0; i < requests; i++) {
      if (cold) thrash();
      const [req, res] = exchange(c.cookie);
      const start = process.hrtime.bigint();
      await c.app.handler(req, res);
      elapsed += process.hrtime.bigint() - start;
    }
    if (round > 0) c.samples.push(Number(elapsed) / 1000 / requests); // round 0 warms up
  }
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const [floor, ts] = cases.map((c) => median(c.samples)) as [number, number];
console.log(`${mode}: ${cases[0]?.name} ${floor.toFixed(1)} µs, ${cases[1]?.name} ${ts.toFixed(1)} µs per request; floor / (b) ${(floor / ts).toFixed(3)}${sink < 0 ? "" : ""}`);
