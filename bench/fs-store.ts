/**
 * `npm run bench -- fs-store`: the file store against raw file I/O of the same bytes, session-file-store,
 * and itself as the directory grows.
 *
 * 1. Save + get of one session, interleaved rounds: the raw baseline the target is set against (`writeFile`
 *    temp + `rename` + `readFile`, node:fs/promises), the same raw work with node:fs's synchronous calls,
 *    FilesystemStore (AES-256 + HMAC, superjson) with its default synchronous I/O and with `io: "async"`,
 *    FilesystemBackend's `modify` + `read` alone (what a save costs once the store merges through
 *    `modify`), the store again with its directory on tmpfs (/dev/shm, where there is one: what ext4's
 *    journal and writeback add), and session-file-store's `set` + `get` (express-session's Store API,
 *    called directly; it fsyncs every write).
 *    Each case's thread-pool hops per operation are counted first (async_hooks: fs request objects).
 * 2. Growth: a request (load, set, save) on 500 sessions in turn, and a load of 500 sessions last written by
 *    another process (so read from disk), in one directory holding 1k, then 10k, then 100k session files,
 *    then 1k again.
 *
 * `FS_STORE_ONLY=<case number> FS_STORE_OPS=<n>` runs only case n of table 1, n times, and prints nothing
 * else: for counting its system calls, `strace -f -c`, against a run with `FS_STORE_OPS=0`.
 */
import { createHook } from "node:async_hooks";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FilesystemStore, generateRandomKey, sessions } from "typed-sessions";
import { fetchContext } from "typed-sessions/fetch";
import { FilesystemBackend } from "typed-sessions/store";
import type { BenchResult } from "./harness.ts";
import { printTable } from "./harness.ts";
import { smallPayload } from "./payloads.ts";

const BASELINE = "baseline: writeFile temp + rename + readFile (fs/promises)";
const URL = "http://127.0.0.1/";

interface Case {
  readonly label: string;
  readonly run: () => Promise<unknown>;
}

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

/**
 * Every case in `rounds` interleaved rounds of `roundMs` (after a warm-up round each): median, min and max
 * ops/s. Dirty files are written out before every round, so that no case pays for the writeback of the
 * files the case before it wrote (which made the case after the fastest writer look slowest).
 */
async function measure(cases: readonly Case[], rounds: number, roundMs: number): Promise<Measured[]> {
  for (const c of cases) {
    flush();
    await timeRound(c.run, roundMs);
  }
  const samples = cases.map(() => [] as number[]);
  for (let round = 0; round < rounds; round++) {
    for (const [index, c] of cases.entries()) {
      flush();
      samples[index]?.push(await timeRound(c.run, roundMs));
    }
  }
  return cases.map((c, index) => {
    const sorted = [...(samples[index] ?? [])].sort((a, b) => a - b);
    const all = samples[index] ?? [];
    return { label: c.label, opsPerSecond: sorted[Math.floor(sorted.length / 2)] ?? 0, min: sorted[0] ?? 0, max: sorted.at(-1) ?? 0, rounds: all };
  });
}

/** A case's median, slowest and fastest round (ops/s), and every round in order. */
interface Measured extends BenchResult {
  readonly min: number;
  readonly max: number;
  readonly rounds: readonly number[];
}

/**
 * The ratio of `a` to `b` round by round (each pair measured within a second of each other): its median
 * and range, steadier on a shared machine than the ratio of two medians, since a slow spell hits both.
 */
function perRound(a: Measured, b: Measured | undefined): string {
  if (b === undefined) return "";
  const ratios = a.rounds.map((value, index) => value / (b.rounds[index] ?? Number.NaN)).sort((x, y) => x - y);
  const median = ratios[Math.floor(ratios.length / 2)] ?? Number.NaN;
  return `${median.toFixed(2)}× (${(ratios[0] ?? Number.NaN).toFixed(2)}-${(ratios.at(-1) ?? Number.NaN).toFixed(2)})`;
}

/** The fs request objects (one per thread-pool hop) `run` makes per call, over `count` calls. */
async function hopsPerOp(run: () => Promise<unknown>, count = 200): Promise<number> {
  let hops = 0;
  const hook = createHook({
    init(_id, type) {
      if (type.startsWith("FSREQ") || type === "FILEHANDLECLOSEREQ") hops++;
    },
  });
  hook.enable();
  try {
    for (let i = 0; i < count; i++) await run();
  } finally {
    hook.disable();
  }
  return hops / count;
}

/**
 * Waits for the kernel to write dirty files out (`sync`, bounded at 2 minutes): before each timed round,
 * and after the growth rows write ~0.5 GB of small files (and delete them), whose writeback would otherwise
 * slow down whatever is measured next, in this run or the next.
 */
function flush(): void {
  spawnSync("sync", { timeout: 120_000 });
}

interface SessionFileStore {
  set(sid: string, session: unknown, callback: (err?: unknown) => void): void;
  get(sid: string, callback: (err: unknown, session?: unknown) => void): void;
}

/** session-file-store's store for express-session, without its reaper and logging. */
function sessionFileStore(path: string): SessionFileStore {
  const require = createRequire(import.meta.url);
  const session = require("express-session") as unknown;
  const factory = require("session-file-store") as (session: unknown) => new (options: object) => SessionFileStore;
  const FileStore = factory(session);
  return new FileStore({ path, ttl: 3600, retries: 0, reapInterval: -1, logFn: () => undefined });
}

function cookieOf(headers: Headers): string {
  return headers.getSetCookie()[0]?.split(";")[0] ?? "";
}

/** Save + get ops/s of the file store, raw I/O, session-file-store, interleaved; with hops per op. */
async function saveAndGet(dir: string, rounds: number, roundMs: number): Promise<BenchResult[]> {
  const keys = { hashKey: generateRandomKey(32), blockKey: generateRandomKey(32) };
  const stores = {
    sync: new FilesystemStore({ dir: join(dir, "store-sync"), ...keys }),
    async: new FilesystemStore({ dir: join(dir, "store-async"), ...keys, io: "async" }),
  };
  const request = async (store: FilesystemStore) => {
    const bench = sessions("bench", store);
    const ctx = fetchContext(new Request(URL));
    const session = await bench.get(ctx);
    for (const [key, value] of Object.entries(smallPayload)) session.set(key, value);
    await session.save();
    const cookie = cookieOf(ctx.headers);
    let n = 0;
    return {
      path: join(store.dir, `session_${session.id}`),
      run: async () => {
        session.set("n", n++);
        await session.save();
        return bench.get(fetchContext(new Request(URL, { headers: { cookie } })));
      },
    };
  };
  const storeSync = await request(stores.sync);
  const storeAsync = await request(stores.async);
  // The same store on tmpfs, where available: what the ext4 journal and writeback cost of the rows above.
  const shm = existsSync("/dev/shm") ? mkdtempSync("/dev/shm/ts-bench-fs-") : undefined;
  const storeShm = shm === undefined ? undefined : new FilesystemStore({ dir: join(shm, "store"), ...keys });
  const onShm = storeShm === undefined ? undefined : await request(storeShm);
  const content = readFileSync(storeSync.path, "latin1");
  const data = content.slice(content.indexOf("\n") + 1);
  const rawTarget = join(dir, "raw");
  const backend = new FilesystemBackend(join(dir, "backend"));
  const backendId = "b".repeat(43);
  await backend.write(backendId, data, 3600);
  const sfs = sessionFileStore(join(dir, "sfs"));
  const sid = "s".repeat(32);
  const sfsSession = {
    cookie: { originalMaxAge: 3_600_000, expires: new Date(Date.now() + 3_600_000).toISOString(), httpOnly: true, path: "/" },
    ...smallPayload,
  };
  let n = 0;

  const cases: Case[] = [
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
      label: "the same, node:fs sync calls",
      run: async () => {
        const temp = `${rawTarget}.${n++}.tmp`;
        writeFileSync(temp, content, { encoding: "latin1", mode: 0o600, flag: "wx" });
        renameSync(temp, rawTarget);
        return readFileSync(rawTarget, "latin1");
      },
    },
    { label: "FilesystemStore save + get (io: sync, the default)", run: storeSync.run },
    { label: "FilesystemStore save + get (io: async)", run: storeAsync.run },
    {
      label: "FilesystemBackend modify + read (sync)",
      run: async () => {
        await backend.modify(backendId, () => ({ data, ttlSeconds: 3600 }));
        return backend.read(backendId);
      },
    },
    ...(onShm === undefined ? [] : [{ label: "FilesystemStore save + get (sync), directory on tmpfs", run: onShm.run }]),
    {
      label: "session-file-store set + get",
      run: async () => {
        await new Promise<void>((resolve, reject) => sfs.set(sid, { ...sfsSession, n: n++ }, (err) => (err ? reject(err) : resolve())));
        return new Promise((resolve, reject) => sfs.get(sid, (err, value) => (err ? reject(err) : resolve(value))));
      },
    },
  ];

  try {
    const only = process.env.FS_STORE_ONLY;
    if (only !== undefined) {
      const chosen = cases[Number(only)];
      if (chosen === undefined) throw new Error(`FS_STORE_ONLY must be 0-${cases.length - 1}`);
      const ops = Number(process.env.FS_STORE_OPS ?? "1000");
      for (let i = 0; i < ops; i++) await chosen.run();
      console.log(`ran case ${only} (${chosen.label}) ${ops} times`);
      return [];
    }

    const hops = [];
    for (const c of cases) hops.push(await hopsPerOp(c.run));
    const results = await measure(cases, rounds, roundMs);
    printTable(`file store save + load, ${content.length}-byte file (median of ${rounds} rounds of ${roundMs} ms)`, results, BASELINE);
    const sfs = results.find((r) => r.label.startsWith("session-file-store"));
    console.log(`${"case".padEnd(56)}  hops/op  ops/s range of the rounds  × baseline by round  × session-file-store by round`);
    for (const [index, r] of results.entries()) {
      const range = `${Math.round(r.min).toLocaleString("en-US")}-${Math.round(r.max).toLocaleString("en-US")}`;
      console.log(
        `${r.label.padEnd(56)}  ${(hops[index] ?? 0).toFixed(1).padStart(7)}  ${range.padStart(24)}  ${perRound(r, results[0]).padStart(19)}  ${perRound(r, sfs)}`,
      );
    }
    return results;
  } finally {
    for (const store of Object.values(stores)) await store.close();
    await storeShm?.close();
    if (shm !== undefined) rmSync(shm, { recursive: true, force: true });
  }
}

/**
 * Per-operation cost as one directory grows from 1k to 10k to 100k session files and shrinks back to 1k
 * (measured last, so that drift shows: the 1k rows before and after bracket the others). One directory
 * throughout: two directories on ext4 can differ by more than any growth effect (where their blocks lie).
 */
async function growth(dir: string, rounds: number, roundMs: number): Promise<BenchResult[]> {
  const keys = { hashKey: generateRandomKey(32), blockKey: generateRandomKey(32) };
  const LIVE = 500;
  const store = new FilesystemStore({ dir: join(dir, "growth"), ...keys });
  const bench = sessions("bench", store);
  const made = async () => {
    const ctx = fetchContext(new Request(URL));
    const session = await bench.get(ctx);
    for (const [key, value] of Object.entries(smallPayload)) session.set(key, value);
    await session.save();
    return { cookie: cookieOf(ctx.headers), path: join(store.dir, `session_${session.id}`) };
  };
  const saved: { cookie: string; path: string }[] = [];
  const foreign: { cookie: string; path: string }[] = [];
  for (let i = 0; i < LIVE; i++) saved.push(await made());
  for (let i = 0; i < LIVE; i++) foreign.push(await made());
  // As if another process wrote them last: a new mtime, so this process reads them from disk.
  for (const { path } of foreign) utimesSync(path, Date.now() / 1000, Date.now() / 1000 - 1);
  const sample = readFileSync(saved[0]?.path ?? "", "latin1");
  const fillers: string[] = [];
  /** Adds or removes copies of a session file under random ids (never loaded) until the directory holds `total` files. */
  const resize = (total: number) => {
    while (2 * LIVE + fillers.length < total) {
      const path = join(store.dir, `session_${Buffer.from(generateRandomKey(32)).toString("base64url")}`);
      writeFileSync(path, sample, { mode: 0o600 });
      fillers.push(path);
    }
    while (2 * LIVE + fillers.length > total) rmSync(fillers.pop() ?? "", { force: true });
    if (readdirSync(store.dir).length !== total) throw new Error(`expected ${total} files in ${store.dir}`);
    flush();
  };
  let next = 0;
  let nextLoad = 0;
  const cases: Case[] = [
    {
      label: "request (load + set + save)",
      run: async () => {
        const { cookie } = saved[next++ % LIVE] ?? { cookie: "" };
        const session = await bench.get(fetchContext(new Request(URL, { headers: { cookie } })));
        session.set("n", next);
        await session.save();
      },
    },
    {
      label: "load, read from disk",
      run: async () => {
        const { cookie } = foreign[nextLoad++ % LIVE] ?? { cookie: "" };
        const session = await bench.get(fetchContext(new Request(URL, { headers: { cookie } })));
        if (session.isNew) throw new Error("a growth session failed to load");
      },
    },
  ];
  // A reference measured beside every level: raw sync I/O in a directory of its own, as big as ever, so
  // that what the machine does meanwhile (it is shared) divides out of the request / reference ratio.
  const refDir = join(dir, "growth-reference");
  mkdirSync(refDir);
  const refTarget = join(refDir, "target");
  let refN = 0;
  cases.push({
    label: "reference (raw sync I/O, 1-file directory)",
    run: async () => {
      const temp = `${refTarget}.${refN++}.tmp`;
      writeFileSync(temp, sample, { encoding: "latin1", mode: 0o600, flag: "wx" });
      renameSync(temp, refTarget);
      return readFileSync(refTarget, "latin1");
    },
  });
  const rows: Measured[][] = [];
  const labels: string[] = [];
  const started = Date.now();
  for (const [total, label] of [
    [1_000, "1,000 files"],
    [10_000, "10,000 files"],
    [100_000, "100,000 files"],
    [1_000, "1,000 files again"],
  ] as const) {
    resize(total);
    rows.push(await measure(cases, rounds, roundMs));
    labels.push(label);
  }
  await store.close();
  console.log(`\n(growth: measured at 1k, 10k, 100k and 1k files in ${((Date.now() - started) / 1000).toFixed(1)} s, fills and deletes included)`);
  console.log(`growth: one directory, median of ${rounds} rounds of ${roundMs} ms per level; × reference = by round, median (range)`);
  console.log(
    `${"files".padEnd(18)}  ${"request µs".padStart(10)}  ${"× reference".padStart(20)}  ${"load µs".padStart(8)}  ${"× reference".padStart(20)}  reference µs`,
  );
  for (const [index, level] of rows.entries()) {
    const [request, load, reference] = level;
    if (request === undefined || load === undefined || reference === undefined) continue;
    const us = (r: Measured) => (1e6 / r.opsPerSecond).toFixed(0);
    console.log(
      `${(labels[index] ?? "").padEnd(18)}  ${us(request).padStart(10)}  ${perRound(reference, request).padStart(20)}  ${us(load).padStart(8)}  ${perRound(reference, load).padStart(20)}  ${us(reference)}`,
    );
  }
  const flat = rows.flatMap((level, index) => level.map((r) => ({ ...r, label: `${r.label}, ${labels[index] ?? ""}` })));
  return flat;
}

/** File store save + load ops/s against raw file I/O and session-file-store, then the growth rows. */
export async function runFsStoreBench(rounds = 7, roundMs = 300): Promise<BenchResult[]> {
  const dir = await mkdtemp(join(tmpdir(), "ts-bench-fs-"));
  try {
    const results = await saveAndGet(dir, rounds, roundMs);
    if (process.env.FS_STORE_ONLY !== undefined) return results;
    return [...results, ...(await growth(dir, 5, roundMs))];
  } finally {
    await rm(dir, { recursive: true, force: true });
    flush();
  }
}
