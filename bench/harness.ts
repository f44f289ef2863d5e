/**
 * A tiny benchmark harness: runs each case in short timed rounds, interleaving the cases so that machine
 * noise hits them alike, and reports the median ops/s of the rounds. Ratios between cases of one group
 * are what to quote; single figures move with the machine's load.
 */
export interface BenchCase {
  readonly label: string;
  readonly run: () => unknown;
}

/** A case whose run may return a promise: {@link measureAsync} awaits each call. */
export interface AsyncBenchCase {
  readonly label: string;
  readonly run: () => unknown;
}

export interface BenchResult {
  readonly label: string;
  readonly opsPerSecond: number;
}

function timeRound(run: () => unknown, milliseconds: number): number {
  let sink: unknown;
  let iterations = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(milliseconds) * 1_000_000n;
  let elapsed = 0n;
  while (elapsed < budget) {
    for (let i = 0; i < 64; i++) sink = run();
    iterations += 64;
    elapsed = process.hrtime.bigint() - start;
  }
  if (sink === Symbol.for("never")) console.log(sink);
  return iterations / (Number(elapsed) / 1e9);
}

/** Like timeRound, awaiting every call: for cases that go through async code (a session's save, a manager's get). */
async function timeRoundAsync(run: () => unknown, milliseconds: number): Promise<number> {
  let sink: unknown;
  let iterations = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(milliseconds) * 1_000_000n;
  let elapsed = 0n;
  while (elapsed < budget) {
    for (let i = 0; i < 64; i++) sink = await run();
    iterations += 64;
    elapsed = process.hrtime.bigint() - start;
  }
  if (sink === Symbol.for("never")) console.log(sink);
  return iterations / (Number(elapsed) / 1e9);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** Measures every case in `rounds` interleaved rounds of `roundMs` each (after one warm-up round). */
export function measure(cases: readonly BenchCase[], rounds = 7, roundMs = 150): BenchResult[] {
  for (const c of cases) timeRound(c.run, roundMs);
  const samples = cases.map(() => [] as number[]);
  for (let round = 0; round < rounds; round++) {
    cases.forEach((c, index) => samples[index]?.push(timeRound(c.run, roundMs)));
  }
  return cases.map((c, index) => ({ label: c.label, opsPerSecond: median(samples[index] ?? []) }));
}

/**
 * Like {@link measure}, awaiting every call (so a promise's continuations run inside the timed round, not
 * after it); every case of a table that has an async one should go through it, so that the await itself
 * (a microtask per call) is paid by all of them.
 */
export async function measureAsync(cases: readonly AsyncBenchCase[], rounds = 7, roundMs = 150): Promise<BenchResult[]> {
  for (const c of cases) await timeRoundAsync(c.run, roundMs);
  const samples = cases.map(() => [] as number[]);
  for (let round = 0; round < rounds; round++) {
    for (const [index, c] of cases.entries()) samples[index]?.push(await timeRoundAsync(c.run, roundMs));
  }
  return cases.map((c, index) => ({ label: c.label, opsPerSecond: median(samples[index] ?? []) }));
}

/** Prints results as a table with each one's ratio to `baselineLabel`. */
export function printTable(title: string, results: readonly BenchResult[], baselineLabel: string): void {
  const baseline = results.find((r) => r.label === baselineLabel)?.opsPerSecond ?? Number.NaN;
  const width = Math.max(...results.map((r) => r.label.length), 10);
  console.log(`\n${title}`);
  console.log(`${"case".padEnd(width)}  ${"ops/s".padStart(12)}  ${"µs/op".padStart(7)}  ratio to baseline`);
  for (const r of results) {
    const ratio = (r.opsPerSecond / baseline).toFixed(2);
    const micros = (1e6 / r.opsPerSecond).toFixed(2);
    console.log(
      `${r.label.padEnd(width)}  ${Math.round(r.opsPerSecond).toLocaleString("en-US").padStart(12)}  ${micros.padStart(7)}  ${ratio}×`,
    );
  }
}
