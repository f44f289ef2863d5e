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
 *    another process (so read from disk), in directories holding 1k, 10k and 100k session files, the three
 *    directories' rounds interleaved.
 *
 * `FS_STORE_ONLY=<case number> FS_STORE_OPS=<n>` runs only case n of table 1, n times, and prints nothing
 * else: for counting its system calls, `strace -f -c`, against a run with `FS_STORE_OPS=0`.
 */
import { createHook } from "node:async_hooks";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, utimesSync, writeFileSync } from "node:fs";
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

/** Per-request cost with 1k, 10k and 100k session files in the directory (three directories, interleaved). */
async function growth(dir: string, rounds: number, roundMs: number): Promise<BenchResult[]> {
  const keys = { hashKey: generateRandomKey(32), blockKey: generateRandomKey(32) };
  const LIVE = 500;
  const levels = [1_000, 10_000, 100_000];
  const cases: Case[] = [];
  const started = Date.now();
  const loads: Case[] = [];
  const stores: FilesystemStore[] = [];
  for (const total of levels) {
    const store = new FilesystemStore({ dir: join(dir, `growth-${total}`), ...keys });
    stores.push(store);
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
    // Fill up to `total` files with copies of a session file under random ids (never loaded).
    const sample = readFileSync(saved[0]?.path ?? "", "latin1");
    for (let i = 2 * LIVE; i < total; i++) {
      const id = Buffer.from(generateRandomKey(32)).toString("base64url");
      writeFileSync(join(store.dir, `session_${id}`), sample, { mode: 0o600 });
    }
    let next = 0;
    let nextLoad = 0;
    cases.push({
      label: `request (load + set + save), ${total.toLocaleString("en-US")} files`,
      run: async () => {
        const { cookie } = saved[next++ % LIVE] ?? { cookie: "" };
        const session = await bench.get(fetchContext(new Request(URL, { headers: { cookie } })));
        session.set("n", next);
        await session.save();
      },
    });
    loads.push({
      label: `load read from disk, ${total.toLocaleString("en-US")} files`,
      run: async () => {
        const { cookie } = foreign[nextLoad++ % LIVE] ?? { cookie: "" };
        const session = await bench.get(fetchContext(new Request(URL, { headers: { cookie } })));
        if (session.isNew) throw new Error("a growth session failed to load");
      },
    });
    if (readdirSync(store.dir).length !== total) throw new Error(`expected ${total} files in ${store.dir}`);
  }
  flush();
  console.log(
    `\n(growth: ${levels.map((l) => l.toLocaleString("en-US")).join(" + ")} files made in ${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
  const all = [...cases, ...loads];
  const results = await measure(all, rounds, roundMs);
  printTable(
    `growth: cost per operation by files in the directory (median of ${rounds} rounds of ${roundMs} ms)`,
    results.slice(0, levels.length),
    results[0]?.label ?? "",
  );
  printTable("", results.slice(levels.length), results[levels.length]?.label ?? "");
  console.log(`${"case".padEnd(44)}  ops/s range of the rounds  × the 1,000-file row by round`);
  for (const [index, r] of results.entries()) {
    const range = `${Math.round(r.min).toLocaleString("en-US")}-${Math.round(r.max).toLocaleString("en-US")}`;
    console.log(`${r.label.padEnd(44)}  ${range.padStart(24)}  ${perRound(r, results[index < levels.length ? 0 : levels.length])}`);
  }
  for (const store of stores) await store.close();
  return results;
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
