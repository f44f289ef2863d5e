// The HTTP benchmark: the same tiny node:http app (read a counter from the session, increment, save) with no
// session, typed-sessions' cookie and filesystem stores, express-session + MemoryStore and iron-session, all in
// one run. Each server runs in its own process; autocannon loads it over loopback for a fixed time with a
// fixed number of connections, sending the cookie of an existing session. Prints req/s, p99 and the ratio to
// the no-session baseline, and writes docs/bench-http.svg.
//   npm run bench            (all sections)      npx tsx bench/http.ts   (this section alone)
//   BENCH_HTTP_DURATION=5 BENCH_HTTP_CONNECTIONS=10 BENCH_HTTP_PROFILE=/tmp/prof npx tsx bench/http.ts
import { type ChildProcess, fork } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { type ChartBar, renderHttpChart } from "./http-chart.ts";
import { HTTP_CASES, type HttpCase } from "./http-server.ts";

const here = dirname(fileURLToPath(import.meta.url));

/** What each case is called in the output. */
const LABELS: Record<HttpCase, string> = {
  none: "(a) no session",
  "ts-cookie": "(b) typed-sessions cookie",
  "ts-fs": "(c) typed-sessions fs",
  "express-session": "(d) express-session memory",
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
}

/** Options of {@link runHttpBench}. */
export interface HttpBenchOptions {
  /** Seconds of measured load per case. @default 4 (env BENCH_HTTP_DURATION) */
  duration?: number;
  /** Seconds of unmeasured warm-up load per case. @default 1 */
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

/** Makes a session (first request), checks the server reads it back (second request), returns its Cookie header. */
async function primeSession(name: HttpCase, url: string): Promise<string | undefined> {
  const first = await fetch(url);
  const firstBody = await first.text();
  const cookies = first.headers.getSetCookie().map((line) => line.split(";")[0] ?? "");
  if (name === "none") return undefined;
  if (firstBody !== "1" || cookies.length === 0) throw new Error(`${name}: the first request answered ${firstBody} with ${cookies.length} cookies`);
  const cookie = cookies.join("; ");
  const second = await (await fetch(url, { headers: { cookie } })).text();
  if (second !== "2") throw new Error(`${name}: the session was not read back (second request answered ${second})`);
  return cookie;
}

async function load(url: string, seconds: number, connections: number, cookie: string | undefined) {
  const headers: Record<string, string> = cookie === undefined ? {} : { cookie };
  return autocannon({ url, duration: seconds, connections, pipelining: 1, headers });
}

/**
 * Runs the HTTP benchmark (bounded: `duration + warmup` seconds per case, fixed connections, 127.0.0.1 only),
 * prints a table and returns the results; writes the SVG chart unless `chartPath` is null.
 */
export async function runHttpBench(options: HttpBenchOptions = {}): Promise<HttpBenchResult[]> {
  const duration = options.duration ?? Number(process.env["BENCH_HTTP_DURATION"] ?? 4);
  const connections = options.connections ?? Number(process.env["BENCH_HTTP_CONNECTIONS"] ?? 10);
  const warmup = options.warmup ?? 1;
  const profileDir = options.profileDir ?? process.env["BENCH_HTTP_PROFILE"];
  if (profileDir !== undefined) mkdirSync(profileDir, { recursive: true });
  const cases = options.cases ?? HTTP_CASES;
  console.log(`\n## HTTP: node:http, read + increment + save a session counter (${duration} s × ${connections} connections per case)\n`);
  const measured: Array<Omit<HttpBenchResult, "ratio">> = [];
  for (const name of cases) {
    const server = await startServer(name, profileDir);
    try {
      const url = `http://127.0.0.1:${server.port}/`;
      const cookie = await primeSession(name, url);
      await load(url, warmup, connections, cookie);
      const result = await load(url, duration, connections, cookie);
      const failed = result.errors + result.timeouts + result.non2xx;
      if (failed > 0) throw new Error(`${name}: ${failed} failed requests (errors ${result.errors}, timeouts ${result.timeouts}, non-2xx ${result.non2xx})`);
      measured.push({ name, label: LABELS[name], requestsPerSecond: result.requests.average, p99Ms: result.latency.p99 });
    } finally {
      await stopServer(server);
    }
  }
  const base = measured.find((m) => m.name === "none")?.requestsPerSecond ?? Number.NaN;
  const results = measured.map((m) => ({ ...m, ratio: m.requestsPerSecond / base }));
  console.table(
    results.map((r) => ({ case: r.label, "req/s": Math.round(r.requestsPerSecond), "p99 ms": r.p99Ms, "× (a)": r.ratio.toFixed(2) })),
  );
  const chartPath = options.chartPath === undefined ? join(here, "..", "docs", "bench-http.svg") : options.chartPath;
  if (chartPath !== null) {
    const bars: ChartBar[] = results.map((r) => ({ ...r, highlight: r.name.startsWith("ts-") }));
    const cpu = cpus()[0]?.model.trim() ?? "unknown CPU";
    const subtitle = `Node ${process.version}, ${cpus().length} cores (${cpu}), ${duration} s × ${connections} connections per case, loopback`;
    mkdirSync(dirname(chartPath), { recursive: true });
    writeFileSync(chartPath, renderHttpChart("HTTP requests per second: read, increment, save a session counter", subtitle, bars));
    console.log(`chart: ${chartPath}`);
  }
  return results;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) await runHttpBench();
