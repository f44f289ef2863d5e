import { mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FilesystemStore, generateRandomKey, sessions } from "typed-sessions";
import { fetchContext } from "typed-sessions/fetch";
import type { BenchResult } from "./harness.ts";
import { printTable } from "./harness.ts";
import { smallPayload } from "./payloads.ts";

const BASELINE = "baseline (writeFile temp + rename + readFile)";

async function timeRound(run: () => Promise<unknown>, milliseconds: number): Promise<number> {
  let iterations = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(milliseconds) * 1_000_000n;
  let elapsed = 0n;
  while (elapsed < budget) {
    for (let i = 0; i < 16; i++) await run();
    iterations += 16;
    elapsed = process.hrtime.bigint() - start;
  }
  return iterations / (Number(elapsed) / 1e9);
}

/** File store save + load ops/s (AES-256, superjson) against raw file I/O of the same size, interleaved rounds. */
export async function runFsStoreBench(rounds = 7, roundMs = 300): Promise<BenchResult[]> {
  const dir = await mkdtemp(join(tmpdir(), "ts-bench-fs-"));
  try {
    const store = new FilesystemStore({ dir: join(dir, "store"), hashKey: generateRandomKey(32), blockKey: generateRandomKey(32) });
    const bench = sessions("bench", store);
    const ctx = fetchContext(new Request("http://127.0.0.1/"));
    const session = await bench.get(ctx);
    for (const [key, value] of Object.entries(smallPayload)) session.set(key, value);
    await session.save();
    const cookie = ctx.headers.getSetCookie()[0]?.split(";")[0] ?? "";
    const loadCtx = fetchContext(new Request("http://127.0.0.1/", { headers: { cookie } }));
    const path = join(store.dir, `session_${session.id}`);
    const content = await readFile(path, "latin1");
    const rawTarget = join(dir, "raw");
    let n = 0;

    const cases = [
      {
        label: BASELINE,
        run: async () => {
          const temp = `${rawTarget}.${n++}.tmp`;
          await writeFile(temp, content, { encoding: "latin1", mode: 0o600, flag: "wx" });
          await rename(temp, rawTarget);
          return readFile(rawTarget, "latin1");
        },
      },
      {
        label: "FilesystemStore save + get",
        run: async () => {
          session.set("n", n++);
          await session.save();
          return bench.get(fetchContext(new Request(loadCtx.request as Request)));
        },
      },
    ];
    for (const c of cases) await timeRound(c.run, roundMs);
    const samples = cases.map(() => [] as number[]);
    for (let round = 0; round < rounds; round++) {
      for (const [index, c] of cases.entries()) samples[index]?.push(await timeRound(c.run, roundMs));
    }
    const results = cases.map((c, index) => {
      const sorted = [...(samples[index] ?? [])].sort((a, b) => a - b);
      return { label: c.label, opsPerSecond: sorted[Math.floor(sorted.length / 2)] ?? 0 };
    });
    printTable(`file store save + load, ${content.length}-byte file`, results, BASELINE);
    await store.close();
    return results;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
