// The HTTP benchmark: the same tiny node:http app (read a counter from the session, increment, save) with no
// session, two no-library node:crypto encrypted cookies (the floors of the cookie case: the least format, and
// gorilla/securecookie's format, the one typed-sessions writes), typed-sessions' cookie and
// filesystem stores, express-session + MemoryStore and iron-session, all in one run. Each server runs in its own process; autocannon loads it over loopback for a fixed time with a
// fixed number of connections, sending the cookie of an existing session. Prints req/s, p99, the ratio to
// the no-session baseline, the server's CPU per request and, for the cases that allow it, the same handler's
// time per request alone in a loop (http-loop.ts), and (b)'s cost over its floors; writes docs/bench-http.svg.
//   npm run bench -- http     (this section; `npm run bench` runs every section)
//   BENCH_HTTP_ROUNDS=3 BENCH_HTTP_DURATION=3 BENCH_HTTP_CONNECTIONS=10 BENCH_HTTP_PROFILE=/tmp/prof npm run bench -- http
//   BENCH_HTTP_CASES=none,gorilla-cookie,ts-cookie npm run bench -- http     (only these cases; no chart is written)
//   BENCH_TS_BASE_DIST=/tmp/old-ts BENCH_HTTP_CASES=ts-cookie-read,ts-cookie-read-base npm run bench -- http
//     (an unchanged session's request on this build and on another checkout's build, in one run; the
//     "-base" cases run only with BENCH_TS_BASE_DIST; BENCH_TS_DIST points the other ts-* cases elsewhere)
import { type ChildProcess, fork } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { type ChartBar, renderHttpChart } from "./http-chart.ts";
import { LOOP_CASES, handlerMicrosEach } from "./http-loop.ts";
import { CART_LINES, libraryPath, libraryTag } from "./http-ts-app.ts";
import { BASE_CASES, HTTP_CASES, type HttpCase, UNCHANGED_CASES } from "./http-server.ts";

const here = dirname(fileURLToPath(import.meta.url));

/** What each case is called in the output. */
const LABELS: Record<HttpCase, string> = {
  none: "(a) no session",
  "raw-cookie": "(b₀) node:crypto encrypted cookie, no library (floor of (b))",
  "gorilla-cookie": "(b₁) gorilla-format cookie, node:crypto + cookie, no library (floor of (b))",
  "ts-cookie": "(b) typed-sessions cookie",
  "ts-cookie-signed": "(b′) typed-sessions cookie, signed only",
  "ts-cookie-base": "(b) typed-sessions cookie, base build",
  "ts-cookie-read": "(b″) typed-sessions cookie, unchanged (reads a cart, writes nothing)",
  "ts-cookie-read-base": "(b″) typed-sessions cookie, unchanged, base build",
  "ts-fs": "(c) typed-sessions fs",
  "express-session": "(d) express-session memory",
  "express-session-30d": "(d′) express-session memory, 30-day cookie like (b)",
  "iron-session": "(e) iron-session",
};

/** One measured case. */
export interface HttpBenchResult {
  name: HttpCase;
  label: string;
  requestsPerSecond: number;
  p99Ms: number;
  /** Requests per second divided by the no-session baseline's. */
  ratio: number;
  /** CPU time the server process spent per request, in microseconds (Linux only; less sensitive to a busy machine). */
  serverCpuMicros: number | undefined;
  /** The same handler's time per request called in a loop in one process, no socket (see http-loop.ts). */
  handlerMicros: number | undefined;
}

/** Options of {@link runHttpBench}. */
export interface HttpBenchOptions {
  /** Seconds of measured load per case and round. @default 3 (env BENCH_HTTP_DURATION) */
  duration?: number;
  /** How many times every case is measured, in turn; the median is reported. @default 3 (env BENCH_HTTP_ROUNDS) */
  rounds?: number;
  /** Seconds of unmeasured warm-up load before each measurement. @default 1 */
  warmup?: number;
  /** Concurrent keep-alive connections. @default 10 (env BENCH_HTTP_CONNECTIONS) */
  connections?: number;
  /** Where to write the SVG chart; null skips it. @default "docs/bench-http.svg" */
  chartPath?: string | null;
  /** A directory for `--cpu-prof` profiles of each server process. @default env BENCH_HTTP_PROFILE */
  profileDir?: string | undefined;
  /** Which cases to run. @default all of them */
  cases?: readonly HttpCase[];
}

interface RunningServer {
  port: number;
  child: ChildProcess;
}

function startServer(name: HttpCase, profileDir: string | undefined): Promise<RunningServer> {
  const execArgv = ["--import", "tsx"];
  if (profileDir !== undefined) execArgv.push("--cpu-prof", `--cpu-prof-dir=${join(profileDir, name)}`);
  const child = fork(join(here, "http-server.ts"), [name], { execArgv, stdio: ["ignore", "inherit", "inherit", "ipc"] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name}: server did not start in 20 s`)), 20_000);
    child.once("message", (message) => {
      clearTimeout(timer);
      resolve({ port: (message as { port: number }).port, child });
    });
    child.once("exit", (code) => reject(new Error(`${name}: server exited with ${code}`)));
  });
}

function stopServer(server: RunningServer): Promise<void> {
  return new Promise((resolve) => {
    if (server.child.exitCode !== null) return resolve();
    server.child.once("exit", () => resolve());
    server.child.kill("SIGTERM");
  });
}

/**
 * Makes a session (first request), checks the server reads it back (second request), returns its Cookie
 * header. Counter cases answer 1 then 2; unchanged cases answer their cart's length both times, and their
 * second response must carry no Set-Cookie (the save wrote nothing).
 */
async function primeSession(name: HttpCase, url: string): Promise<string | undefined> {
  const first = await fetch(url);
  const firstBody = await first.text();
  const cookies = first.headers.getSetCookie().map((line) => line.split(";")[0] ?? "");
  if (name === "none") return undefined;
  const unchanged = UNCHANGED_CASES.includes(name);
  const [one, two] = unchanged ? [String(CART_LINES), String(CART_LINES)] : ["1", "2"];
  if (firstBody !== one || cookies.length === 0) throw new Error(`${name}: the first request answered ${firstBody} with ${cookies.length} cookies`);
  const cookie = cookies.join("; ");
  const response = await fetch(url, { headers: { cookie } });
  const second = await response.text();
  if (second !== two) throw new Error(`${name}: the session was not read back (second request answered ${second})`);
  if (unchanged && response.headers.getSetCookie().length > 0) throw new Error(`${name}: an unchanged session's save sent a Set-Cookie`);
  return cookie;
}

/** CPU time (user + system) the process has used, in microseconds, from /proc (Linux); undefined elsewhere. */
function cpuMicros(pid: number | undefined): number | undefined {
  const file = `/proc/${pid}/stat`;
  if (pid === undefined || !existsSync(file)) return undefined;
  // Fields after the command name: state is field 3; utime and stime are fields 14 and 15, in clock ticks (100/s).
  const stat = readFileSync(file, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

async function load(url: string, seconds: number, connections: number, cookie: string | undefined) {
  const headers: Record<string, string> = cookie === undefined ? {} : { cookie };
  return autocannon({ url, duration: seconds, connections, pipelining: 1, headers });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Formats the results as the Markdown table BENCHMARKS.md records. */
export function formatHttpMarkdown(results: readonly HttpBenchResult[]): string {
  const rows = results.map(
    (r) =>
      `| ${r.label} | ${Math.round(r.requestsPerSecond).toLocaleString("en-US")} | ${r.p99Ms} | ${r.ratio.toFixed(2)}× | ${r.serverCpuMicros ?? "n/a"} | ${r.handlerMicros ?? "n/a"} |`,
  );
  const head = "| case | req/s (median) | p99 ms | vs (a) | server CPU µs/req | handler alone µs/req |";
  return [head, "|---|---:|---:|---:|---:|---:|", ...rows].join("\n");
}

/**
 * Runs the HTTP benchmark (bounded: `rounds × cases × (warmup + duration)` seconds, fixed connections,
 * 127.0.0.1 only). Every case's server starts first; the rounds then visit the cases in turn, each round
 * starting one case further on, so a neighbour's load and the place in the order spread over all of them;
 * each case reports its median req/s, p99 and server CPU over the rounds.
 * Prints a table and the targets, returns the results, and writes the SVG chart unless `chartPath` is null.
 */
export async function runHttpBench(options: HttpBenchOptions = {}): Promise<HttpBenchResult[]> {
  const duration = options.duration ?? Number(process.env["BENCH_HTTP_DURATION"] ?? 3);
  const connections = options.connections ?? Number(process.env["BENCH_HTTP_CONNECTIONS"] ?? 10);
  const rounds = options.rounds ?? Number(process.env["BENCH_HTTP_ROUNDS"] ?? 3);
  const warmup = options.warmup ?? 1;
  const profileDir = options.profileDir ?? process.env["BENCH_HTTP_PROFILE"];
  if (profileDir !== undefined) mkdirSync(profileDir, { recursive: true });
  const only = process.env["BENCH_HTTP_CASES"]?.split(",").filter((name): name is HttpCase => (HTTP_CASES as readonly string[]).includes(name));
  const withBase = (process.env["BENCH_TS_BASE_DIST"] ?? "") !== "";
  const all = HTTP_CASES.filter((name) => withBase || !BASE_CASES.includes(name));
  const cases = options.cases ?? (only !== undefined && only.length > 0 ? only : all);
  const buildOf = (name: HttpCase) => (BASE_CASES.includes(name) ? process.env["BENCH_TS_BASE_DIST"] : process.env["BENCH_TS_DIST"]);
  const labelOf = (name: HttpCase) => (name.startsWith("ts-") ? `${LABELS[name]} [${libraryTag(buildOf(name))}]` : LABELS[name]);
  for (const spec of new Set(cases.filter((name) => name.startsWith("ts-")).map(buildOf))) {
    console.log(`typed-sessions build: ${libraryPath(spec)} (${libraryTag(spec)})`);
  }
  if (cases.includes("gorilla-cookie")) {
    // (b₁) must write the bytes (b)'s codec writes, or it is no floor of (b): checked before it is measured.
    const { checkGorillaFloor } = await import("./gorilla-floor-check.ts");
    await checkGorillaFloor();
  }
  console.log(
    `\n## HTTP: node:http, read + increment + save a session counter (${rounds} rounds × ${duration} s × ${connections} connections per case)\n`,
  );
  const servers = new Map<HttpCase, RunningServer>();
  const samples = new Map<HttpCase, { rps: number[]; p99: number[]; cpu: number[] }>(
    cases.map((name) => [name, { rps: [], p99: [], cpu: [] }]),
  );
  // Before any server runs: the handlers alone, in this process, for what the same work costs outside a server.
  // The cases take turns round by round (handlerMicrosEach), so their ratios survive a busy neighbour.
  const alone: ReadonlyMap<HttpCase, number> = await handlerMicrosEach(LOOP_CASES.filter((name) => cases.includes(name)));
  try {
    for (const name of cases) servers.set(name, await startServer(name, profileDir));
    const cookies = new Map<HttpCase, string | undefined>();
    for (const [name, server] of servers) cookies.set(name, await primeSession(name, `http://127.0.0.1:${server.port}/`));
    const order = [...servers];
    for (let round = 0; round < rounds; round++) {
      // Each round starts one case further on, so every case takes every place in turn: with a fixed order
      // the later place tended to be dearer in server CPU (the third of three cases +2–11 % over the second
      // in four runs of two builds of nearly the same code; with the two swapped, the third again in two
      // runs of three).
      for (let place = 0; place < order.length; place++) {
        const [name, server] = order[(place + round) % order.length] as [HttpCase, RunningServer];
        const url = `http://127.0.0.1:${server.port}/`;
        await load(url, warmup, connections, cookies.get(name));
        const cpuBefore = cpuMicros(server.child.pid);
        const result = await load(url, duration, connections, cookies.get(name));
        const cpuAfter = cpuMicros(server.child.pid);
        const failed = result.errors + result.timeouts + result.non2xx;
        if (failed > 0) {
          throw new Error(`${name}: ${failed} failed requests (errors ${result.errors}, timeouts ${result.timeouts}, non-2xx ${result.non2xx})`);
        }
        samples.get(name)?.rps.push(result.requests.average);
        samples.get(name)?.p99.push(result.latency.p99);
        if (cpuBefore !== undefined && cpuAfter !== undefined) samples.get(name)?.cpu.push((cpuAfter - cpuBefore) / result.requests.total);
      }
    }
  } finally {
    await Promise.all([...servers.values()].map(stopServer));
  }
  const measured = cases.map((name) => {
    const s = samples.get(name) ?? { rps: [], p99: [], cpu: [] };
    const serverCpuMicros = s.cpu.length > 0 ? Math.round(median(s.cpu)) : undefined;
    const handler = alone.get(name);
    const handlerMicros = handler === undefined ? undefined : Math.round(handler * 10) / 10;
    return { name, label: labelOf(name), requestsPerSecond: median(s.rps), p99Ms: median(s.p99), serverCpuMicros, handlerMicros, all: s.rps };
  });
  const base = measured.find((m) => m.name === "none")?.requestsPerSecond ?? Number.NaN;
  const results: HttpBenchResult[] = measured.map(({ all: _all, ...m }) => ({ ...m, ratio: m.requestsPerSecond / base }));
  console.table(
    measured.map((m) => ({
      case: m.label,
      "req/s": Math.round(m.requestsPerSecond),
      "rounds (req/s)": m.all.map(Math.round).join(" / "),
      "p99 ms": m.p99Ms,
      "× (a)": (m.requestsPerSecond / base).toFixed(2),
      "server CPU µs/req": m.serverCpuMicros ?? "n/a",
      "handler alone µs": m.handlerMicros ?? "n/a",
    })),
  );
  const get = (name: HttpCase) => results.find((r) => r.name === name);
  const b = get("ts-cookie");
  for (const floor of [get("raw-cookie"), get("gorilla-cookie")]) {
    if (floor === undefined) continue;
    const perRequest = (x: number | undefined, y: number | undefined) => (x === undefined || y === undefined ? "n/a" : (x / y).toFixed(2));
    console.log(
      `floor: ${floor.label} at ${floor.ratio.toFixed(2)} × (a); (b) at ${b === undefined ? "n/a" : (b.requestsPerSecond / floor.requestsPerSecond).toFixed(2)} × the floor in req/s, ` +
        `floor / (b) server CPU per request ${perRequest(floor.serverCpuMicros, b?.serverCpuMicros)}` +
        (floor.name === "gorilla-cookie" ? " (≥ 0.90: typed-sessions' own layers cost (b) at most 10% over the same format by hand)" : ""),
    );
  }
  for (const [current, base] of [
    ["ts-cookie", "ts-cookie-base"],
    ["ts-cookie-read", "ts-cookie-read-base"],
  ] as const) {
    const [now, then] = [get(current), get(base)];
    if (now === undefined || then === undefined) continue;
    const over = (x: number | undefined, y: number | undefined) => (x === undefined || y === undefined ? "n/a" : `${(((x - y) / y) * 100).toFixed(1)} %`);
    const cpu = over(now.serverCpuMicros, then.serverCpuMicros);
    console.log(
      `${now.label} over ${then.label}: server CPU ${now.serverCpuMicros ?? "n/a"} vs ${then.serverCpuMicros ?? "n/a"} µs/req (${cpu}), ` +
        `handler alone ${now.handlerMicros ?? "n/a"} vs ${then.handlerMicros ?? "n/a"} µs (${over(now.handlerMicros, then.handlerMicros)})` +
        (current === "ts-cookie-read" && now.serverCpuMicros !== undefined && then.serverCpuMicros !== undefined
          ? ` — target ≤ 10 % over the base build in server CPU: ${now.serverCpuMicros <= then.serverCpuMicros * 1.1 ? "met" : "MISSED"}`
          : ""),
    );
  }
  if (b !== undefined) {
    const verdict = (ok: boolean) => (ok ? "met" : "MISSED");
    console.log(`target (b) ≥ 0.70 × (a): ${b.ratio.toFixed(2)} — ${verdict(b.ratio >= 0.7)}`);
    for (const other of ["express-session", "express-session-30d", "iron-session"] as const) {
      const o = get(other);
      if (o !== undefined) console.log(`target (b) ahead of ${o.label}: ${(b.requestsPerSecond / o.requestsPerSecond).toFixed(2)}× — ${verdict(b.requestsPerSecond > o.requestsPerSecond)}`);
    }
  }
  console.log(`\n${formatHttpMarkdown(results)}\n`);
  const chartPath = options.chartPath === undefined ? (only === undefined ? join(here, "..", "docs", "bench-http.svg") : null) : options.chartPath;
  if (chartPath !== null) {
    const bars: ChartBar[] = results.map((r) => ({ ...r, highlight: r.name.startsWith("ts-") }));
    const cpu = cpus()[0]?.model.trim() ?? "unknown CPU";
    const subtitle = `Node ${process.version}, ${cpus().length} cores (${cpu}); median of ${rounds} × ${duration} s, ${connections} connections, loopback`;
    mkdirSync(dirname(chartPath), { recursive: true });
    writeFileSync(chartPath, renderHttpChart("HTTP req/s: read, increment and save a session counter (node:http)", subtitle, bars));
    console.log(`chart: ${chartPath}`);
  }
  return results;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) await runHttpBench();
