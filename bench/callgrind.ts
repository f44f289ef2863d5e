// Counting a child's instructions with callgrind, for the instruction counts of bench/http-instructions.ts and
// bench/redis-instructions.ts: a count does not move with what else the machine runs, as CPU time does.
import { execFileSync, spawnSync } from "node:child_process";

/** Tells whether valgrind is installed; prints how to get it when not. */
export function hasValgrind(): boolean {
  try {
    execFileSync("valgrind", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    console.log("valgrind is not installed: skipped (apt-get install valgrind)");
    return false;
  }
}

/** The script + case pairs already run once outside valgrind (see {@link callgrindInstructions}). */
const warmed = new Set<string>();

/**
 * Runs the TypeScript `script` with `args` in node (single-threaded, so the JIT's and GC's work is counted on
 * the one thread) under callgrind; returns the instructions of the whole run, from callgrind's summary line.
 * The first time a script runs a case (`args[0]`), it runs it once without valgrind first: tsx compiles each
 * TypeScript file once and keeps the result in its cache, so the first of two counted runs would otherwise
 * count the compiles as well (seen: some 80,000 instructions an op added to the Redis count, on a fresh
 * machine, whose run with more ops came first).
 */
export function callgrindInstructions(script: string, args: readonly string[]): number {
  const key = `${script}\0${args[0] ?? ""}`;
  if (!warmed.has(key)) {
    const warm = spawnSync("node", ["--import", "tsx", script, ...args], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    if (warm.status !== 0) throw new Error(`${args.join(" ")}: the run before counting failed (${warm.status}):\n${warm.stderr.slice(-2000)}`);
    warmed.add(key);
  }
  const run = spawnSync(
    "valgrind",
    ["--tool=callgrind", "--callgrind-out-file=/dev/null", "node", "--single-threaded", "--import", "tsx", script, ...args],
    { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
  );
  const collected = /Collected : (\d+)/.exec(run.stderr);
  if (run.status !== 0 || collected === null) throw new Error(`${args.join(" ")}: callgrind run failed (${run.status}):\n${run.stderr.slice(-2000)}`);
  return Number(collected[1]);
}
