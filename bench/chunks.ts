// `npm run bench -- chunks`: what chunking costs a session that fits in one cookie. The HTTP bench's own
// handlers (bench/http-ts-app.ts: the counter app of (b), the unchanged-session app of (b″)) on the built
// library, each on a CookieStore with chunking off and on, timed alone in a loop on node's request and
// response objects (bench/http-loop.ts) in one process, the two of a pair taking turns, each round starting
// with the other; the ratio is taken round by round (on/off of the same round), so a busy neighbour moves
// both figures of a pair alike, and on the process's CPU time as well as wall time (the machine is shared:
// CPU time moves less). bench/chunks-instructions.mjs counts the same handlers' instructions. A
// last pair, for information, shows what a session that needs two chunks costs against the same value in
// one oversized cookie (maxLength: 0, which no browser would keep).
//   npm run bench -- chunks          BENCH_CHUNKS_ROUNDS=15 BENCH_CHUNKS_REQUESTS=5000 (defaults)
import type { IncomingMessage, ServerResponse } from "node:http";
import { type LoopHandler, firstCookie, loopSamples, medianOf } from "./http-loop.ts";
import { BLOCK_KEY, HASH_KEY } from "./http-server.ts";
import { type TypedSessionsLibrary, libraryTag, loadTypedSessions, tsApp, tsReadApp } from "./http-ts-app.ts";

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

function answer(res: ServerResponse, count: number): void {
  res.writeHead(200, { "content-type": "text/plain" });
  res.end(String(count));
}

/** The counter app with a 3,000-character blob stored on the first visit: about 5.5 KB of cookie, two chunks. */
function bigApp(lib: TypedSessionsLibrary, options: ConstructorParameters<TypedSessionsLibrary["CookieStore"]>[0]): Handler {
  const big = lib.sessions("bench", new lib.CookieStore(options));
  return async (req, res) => {
    const session = await big.get(req, res);
    if (session.isNew) session.set("blob", "x".repeat(3000));
    const count = session.increment("count");
    await session.save();
    answer(res, count);
  };
}

interface Pair {
  readonly label: string;
  readonly off: Handler;
  readonly on: Handler;
  /** What the "on" handler's session takes in the browser (checked: the number of cookies it sends back). */
  readonly cookies: number;
}

export async function runChunksBench(): Promise<void> {
  const rounds = Number(process.env["BENCH_CHUNKS_ROUNDS"] ?? 15);
  const requests = Number(process.env["BENCH_CHUNKS_REQUESTS"] ?? 5_000);
  const lib = await loadTypedSessions(process.env["BENCH_TS_DIST"]);
  const keys = { hashKey: HASH_KEY, blockKey: BLOCK_KEY };
  const cookie = (chunking: boolean) => ({ kind: "cookie" as const, ...keys, chunking });
  const pairs: Pair[] = [
    { label: "counter, one cookie (the (b) app: read, increment, save)", off: tsApp(lib, cookie(false), answer), on: tsApp(lib, cookie(true), answer), cookies: 1 },
    {
      label: "unchanged session, one cookie (the (b″) app: a ~700-byte cart read, nothing written)",
      off: tsReadApp(lib, cookie(false), answer),
      on: tsReadApp(lib, cookie(true), answer),
      cookies: 1,
    },
    { label: "for information: ~5.5 KB session, one oversized cookie (off) vs two chunks (on)", off: bigApp(lib, { ...keys, maxLength: 0 }), on: bigApp(lib, { ...keys, chunking: true }), cookies: 2 },
  ];
  const handlers: LoopHandler[] = [];
  for (const pair of pairs) {
    for (const handler of [pair.off, pair.on]) handlers.push({ handler, cookie: await firstCookie(handler) });
    const sent = handlers.at(-1)?.cookie?.split("; ").length ?? 0;
    if (sent !== pair.cookies) throw new Error(`${pair.label}: the chunking store's session takes ${sent} cookies, expected ${pair.cookies}`);
  }
  // One pair at a time: with two handlers, each round starts at the other one, so neither always runs
  // right after the other (and pays for its garbage and cache misses); six in one rotation would have
  // every "on" handler follow its "off" one in most rounds.
  const samples: { wall: number[][]; cpu: number[][] } = { wall: [], cpu: [] };
  for (let index = 0; index < pairs.length; index++) {
    const pair = await loopSamples(handlers.slice(2 * index, 2 * index + 2), requests, rounds);
    samples.wall.push(...pair.wall);
    samples.cpu.push(...pair.cpu);
  }
  console.log(`\nchunking off vs on, handler alone (build ${libraryTag(process.env["BENCH_TS_DIST"])}; per pair ${rounds} rounds × ${requests} requests, each round starting with the other)`);
  console.log("| case | CPU µs/req off / on | on/off CPU (median of rounds) | on/off CPU range | wall µs/req off / on | on/off wall (median) |");
  console.log("|---|---:|---:|---|---:|---:|");
  const ratios = (on: readonly number[], off: readonly number[]) => on.map((micros, round) => micros / (off[round] ?? Number.NaN));
  pairs.forEach((pair, index) => {
    const [offCpu, onCpu, offWall, onWall] = [samples.cpu[2 * index], samples.cpu[2 * index + 1], samples.wall[2 * index], samples.wall[2 * index + 1]].map((s) => s ?? []) as [number[], number[], number[], number[]];
    const cpu = ratios(onCpu, offCpu);
    const wall = ratios(onWall, offWall);
    console.log(
      `| ${pair.label} | ${medianOf(offCpu).toFixed(1)} / ${medianOf(onCpu).toFixed(1)} | ${medianOf(cpu).toFixed(3)} | ${Math.min(...cpu).toFixed(2)}–${Math.max(...cpu).toFixed(2)} | ${medianOf(offWall).toFixed(1)} / ${medianOf(onWall).toFixed(1)} | ${medianOf(wall).toFixed(3)} |`,
    );
  });
}
