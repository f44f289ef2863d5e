// FilesystemBackend's modify (an atomic read-modify-write) and touch, and the cross-process lock under them:
// concurrent increments in one process and in two, a delete racing modifies (in-process and across
// processes: a logout sticks), stale locks of a killed process and of another machine, a holder whose lock
// was broken, and touch moving the expiry without rewriting the file. Child processes run the backend's
// TypeScript through tsx (`node --import tsx -e`), each bounded in time.
import { type ChildProcess, spawn } from "node:child_process";
import { linkSync, readFileSync, statSync, unlinkSync, utimesSync, writeFileSync } from "node:fs";
import { mkdtemp, readFile, readdir, rename, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FilesystemBackend } from "../../src/stores/fs/fs-backend.ts";

const BACKEND = fileURLToPath(new URL("../../src/stores/fs/fs-backend.ts", import.meta.url));
const REPO = fileURLToPath(new URL("../..", import.meta.url));
const ID = "a".repeat(43);
const T = 1_700_000_000;

type Io = "sync" | "async";

/** `next` for a counter: the stored number plus one (0 when there is none). */
const increment = (current: string | undefined) => ({ data: String(Number(current ?? "0") + 1), ttlSeconds: 600 });
/** `next` for a counter that only counts while the session exists (what a save of a loaded session does). */
const incrementIfPresent = (current: string | undefined) => (current === undefined ? undefined : increment(current));

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const turns = async (count: number) => {
  for (let n = 0; n < count; n++) await new Promise<void>((resolve) => setImmediate(resolve));
};

interface Child {
  readonly process: ChildProcess;
  /** Resolves with the next line the child prints. */
  line(): Promise<string>;
  /** Resolves with the exit code (or signal) once the child is gone. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

const children: ChildProcess[] = [];

/**
 * Starts `node --import tsx -e <code> <backend path> ...args` (the code imports the backend from
 * `process.argv[1]`); killed after `limitMs` if still running, so no test waits on a hung child.
 */
function child(code: string, args: readonly string[], limitMs = 30_000): Child {
  const proc = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code, BACKEND, ...args], {
    cwd: REPO,
    stdio: ["pipe", "pipe", "pipe"],
  });
  children.push(proc);
  const kill = setTimeout(() => proc.kill("SIGKILL"), limitMs);
  let stderr = "";
  proc.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const lines: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  let buffered = "";
  proc.stdout?.on("data", (chunk: Buffer) => {
    buffered += chunk.toString();
    for (let end = buffered.indexOf("\n"); end >= 0; end = buffered.indexOf("\n")) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
      const wake = waiting.shift();
      if (wake === undefined) lines.push(line);
      else wake(line);
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => {
    proc.once("exit", (exitCode, signal) => {
      clearTimeout(kill);
      resolve({ code: exitCode, signal, stderr });
    });
  });
  return {
    process: proc,
    exited,
    line: () => {
      const ready = lines.shift();
      if (ready !== undefined) return Promise.resolve(ready);
      return new Promise<string>((resolve, reject) => {
        waiting.push(resolve);
        void exited.then(({ code: exitCode, stderr: text }) => reject(new Error(`the child exited (${exitCode}) before printing: ${text}`)));
      });
    },
  };
}

/** A child that prints "ready", waits for a line on stdin, runs `count` concurrent increments of `id`, and exits. */
const INCREMENTS = `
const { FilesystemBackend } = await import(process.argv[1]);
const [dir, id, count, io] = process.argv.slice(2);
const backend = new FilesystemBackend(dir, undefined, { io });
const increment = (current) => ({ data: String(Number(current ?? "0") + 1), ttlSeconds: 600 });
console.log("ready");
await new Promise((resolve) => process.stdin.once("data", resolve));
const wrote = await Promise.all(Array.from({ length: Number(count) }, () => backend.modify(id, increment)));
console.log(String(wrote.filter(Boolean).length));
process.exit(0);
`;

/** A child that increments each of its ids while it exists, until every one is gone (or 20 s pass). */
const WHILE_PRESENT = `
const { FilesystemBackend } = await import(process.argv[1]);
const [dir, io, ...ids] = process.argv.slice(2);
const backend = new FilesystemBackend(dir, undefined, { io });
const next = (current) => (current === undefined ? undefined : { data: String(Number(current) + 1), ttlSeconds: 600 });
console.log("ready");
const live = new Set(ids);
const until = Date.now() + 20_000;
while (live.size > 0 && Date.now() < until) {
  await Promise.all([...live].map(async (id) => {
    if (!(await backend.modify(id, next))) live.delete(id);
  }));
}
console.log(String(live.size));
process.exit(0);
`;

/** A child that takes the lock of `id` through modify and spins inside it, after printing "holding". */
const HOLD_FOREVER = `
import { writeSync } from "node:fs";
const { FilesystemBackend } = await import(process.argv[1]);
const [dir, id] = process.argv.slice(2);
const backend = new FilesystemBackend(dir);
await backend.modify(id, () => {
  writeSync(1, "holding\\n");
  for (;;) {}
});
`;

/** A child that holds the lock of `id` for `ms` inside an increment, after printing "holding". */
const HOLD_FOR = `
import { writeSync } from "node:fs";
const { FilesystemBackend } = await import(process.argv[1]);
const [dir, id, ms] = process.argv.slice(2);
const backend = new FilesystemBackend(dir);
await backend.modify(id, (current) => {
  writeSync(1, "holding\\n");
  const until = Date.now() + Number(ms);
  while (Date.now() < until) {}
  return { data: String(Number(current ?? "0") + 1), ttlSeconds: 600 };
});
process.exit(0);
`;

describe("FilesystemBackend.modify and its lock", () => {
  let root: string;
  let dir: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), "ts-fs-lock-"));
    dir = join(root, "sessions");
  });
  afterEach(async () => {
    for (const proc of children.splice(0)) if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
    await rm(root, { recursive: true, force: true });
  });

  it.each<Io>(["sync", "async"])("lands all of 1,000 concurrent increments of one session in one process (io %s)", async (io) => {
    const backend = new FilesystemBackend(dir, undefined, { io });
    const wrote = await Promise.all(Array.from({ length: 1000 }, () => backend.modify(ID, increment)));
    expect(wrote.every(Boolean)).toBe(true);
    expect(await backend.read(ID)).toBe("1000");
    expect(await readdir(dir)).toEqual([`session_${ID}`]); // no lock or temp file left
  });

  it("gives next the stored data, writes nothing when it returns undefined, and treats expired data as none", async () => {
    let clock = T;
    const backend = new FilesystemBackend(dir, () => clock);
    const seen: (string | undefined)[] = [];
    expect(await backend.modify(ID, (current) => (seen.push(current), undefined))).toBe(false);
    expect(await readdir(dir)).toEqual([]);
    await backend.write(ID, "7", 60);
    expect(await backend.modify(ID, (current) => (seen.push(current), undefined))).toBe(false);
    expect(await backend.modify(ID, (current) => (seen.push(current), { data: "8", ttlSeconds: 30 }))).toBe(true);
    expect(await readFile(join(dir, `session_${ID}`), "latin1")).toBe(`${T + 30}\n8`);
    clock += 31;
    expect(await backend.modify(ID, (current) => (seen.push(current), undefined))).toBe(false);
    expect(seen).toEqual([undefined, "7", "7", undefined]);
  });

  it("releases its locks when next throws", async () => {
    const backend = new FilesystemBackend(dir);
    await backend.write(ID, "1", 60);
    await expect(
      backend.modify(ID, () => {
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await readdir(dir)).toEqual([`session_${ID}`]);
    expect(await backend.modify(ID, increment)).toBe(true);
    expect(await backend.read(ID)).toBe("2");
  });

  it.each<[Io, Io]>([
    ["sync", "sync"],
    ["sync", "async"],
  ])(
    "ends at 1,000 after two processes each make 500 increments of one session (io %s and %s)",
    async (first, second) => {
      const backend = new FilesystemBackend(dir);
      const a = child(INCREMENTS, [dir, ID, "500", first]);
      const b = child(INCREMENTS, [dir, ID, "500", second]);
      expect([await a.line(), await b.line()]).toEqual(["ready", "ready"]);
      a.process.stdin?.write("go\n");
      b.process.stdin?.write("go\n");
      expect([await a.line(), await b.line()]).toEqual(["500", "500"]);
      const [aExit, bExit] = await Promise.all([a.exited, b.exited]);
      expect([aExit.code, bExit.code, aExit.stderr, bExit.stderr]).toEqual([0, 0, "", ""]);
      expect(await backend.read(ID)).toBe("1000");
      expect(await readdir(dir)).toEqual([`session_${ID}`]);
    },
    60_000,
  );

  it("never brings back a session a delete removed while modifies of it were queued (200 rounds, random offsets)", async () => {
    const backend = new FilesystemBackend(dir);
    let resurrected = 0;
    for (let round = 0; round < 200; round++) {
      await backend.write(ID, "0", 60);
      const modifies = Array.from({ length: 8 }, (_, n) => turns(n % 3).then(() => backend.modify(ID, incrementIfPresent)));
      const deleting = turns(Math.floor(Math.random() * 4)).then(() => backend.delete(ID));
      await Promise.all([...modifies, deleting]);
      if ((await backend.read(ID)) !== undefined) resurrected++;
    }
    expect(resurrected).toBe(0);
    expect(await readdir(dir)).toEqual([]);
  });

  it("keeps 40 sessions deleted by this process while another process modifies them as long as they exist", async () => {
    const backend = new FilesystemBackend(dir);
    const ids = Array.from({ length: 40 }, (_, n) => n.toString(36).padStart(2, "0").repeat(22).slice(0, 43));
    for (const id of ids) await backend.write(id, "0", 600);
    const worker = child(WHILE_PRESENT, [dir, "sync", ...ids]);
    expect(await worker.line()).toBe("ready");
    await sleep(50); // the worker's modifies are under way
    for (const id of ids) {
      await backend.delete(id);
      await sleep(Math.random() * 3);
    }
    expect(await worker.line()).toBe("0"); // it saw every session gone …
    expect((await worker.exited).code).toBe(0);
    for (const id of ids) expect(await backend.read(id)).toBeUndefined(); // … and none came back
    expect(await readdir(dir)).toEqual([]);
  }, 60_000);

  it("waits for a live holder in another process instead of breaking its lock", async () => {
    const backend = new FilesystemBackend(dir, undefined, { lockStale: 30 });
    const holder = child(HOLD_FOR, [dir, ID, "400"]);
    expect(await holder.line()).toBe("holding");
    const started = Date.now();
    expect(await backend.modify(ID, increment)).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    expect((await holder.exited).code).toBe(0);
    expect(await backend.read(ID)).toBe("2"); // both increments landed, the holder's first
  }, 30_000);

  it("recovers, at once, the lock of a process killed while it held it (and removes its temp file)", async () => {
    const backend = new FilesystemBackend(dir, undefined, { lockStale: 30 });
    await backend.write(ID, "41", 600);
    const holder = child(HOLD_FOREVER, [dir, ID]);
    expect(await holder.line()).toBe("holding");
    holder.process.kill("SIGKILL");
    expect((await holder.exited).signal).toBe("SIGKILL");
    const left = (await readdir(dir)).sort();
    expect(left).toHaveLength(3); // the session, the dead holder's lock and its temp file
    expect(left.filter((entry) => entry.endsWith(".lock"))).toEqual([`session_${ID}.lock`]);
    const started = Date.now();
    expect(await backend.modify(ID, increment)).toBe(true);
    expect(Date.now() - started).toBeLessThan(5000); // far less than lockStale: its pid is gone
    expect(await backend.read(ID)).toBe("42");
    expect(await readdir(dir)).toEqual([`session_${ID}`]);
  }, 30_000);

  it("sweeps the stale lock of a killed process without waiting for a write", async () => {
    const backend = new FilesystemBackend(dir, undefined, { lockStale: 30 });
    await backend.write(ID, "1", 600);
    const holder = child(HOLD_FOREVER, [dir, ID]);
    expect(await holder.line()).toBe("holding");
    holder.process.kill("SIGKILL");
    await holder.exited;
    expect(await backend.cleanup()).toBe(0);
    expect(await readdir(dir)).toEqual([`session_${ID}`]);
  }, 30_000);

  /** Makes `session_<ID>.lock` as another machine's live process would: a temp file with its owner line, linked. */
  function foreignLock(): string {
    const temp = join(dir, `session_${ID}.0123456789abcdef.tmp`);
    writeFileSync(temp, "typed-sessions-lock 1 OtherMachine0000 12345 fedcba9876543210 0123456789abcdef\n");
    linkSync(temp, join(dir, `session_${ID}.lock`));
    return temp;
  }

  it("breaks a lock of another machine's process once it is older than lockStale", async () => {
    const backend = new FilesystemBackend(dir, undefined, { lockStale: 0.3 });
    await backend.write(ID, "1", 600);
    foreignLock();
    const started = Date.now();
    expect(await backend.modify(ID, increment)).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(await backend.read(ID)).toBe("2");
    expect(await readdir(dir)).toEqual([`session_${ID}`]);
  });

  it("fails with ELOCKED after lockTimeout while a lock is not stale yet, and leaves it alone", async () => {
    const backend = new FilesystemBackend(dir, undefined, { lockStale: 60, lockTimeout: 0.3 });
    await backend.write(ID, "1", 600);
    foreignLock();
    const started = Date.now();
    await expect(backend.modify(ID, increment)).rejects.toMatchObject({ code: "ELOCKED", message: expect.not.stringContaining(ID) });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    await expect(backend.delete(ID)).rejects.toMatchObject({ code: "ELOCKED" });
    expect(await backend.read(ID)).toBe("1");
    expect((await readdir(dir)).sort()).toEqual([`session_${ID}`, `session_${ID}.0123456789abcdef.tmp`, `session_${ID}.lock`]);
  });

  it("breaks, within a second or so, a lock left linked to the session file (its holder died after its rename), touches or not", async () => {
    const backend = new FilesystemBackend(dir, undefined, { lockStale: 30 });
    await backend.write(ID, "5", 600);
    linkSync(join(dir, `session_${ID}`), join(dir, `session_${ID}.lock`));
    expect(await backend.touch(ID, 900)).toBe(true); // moves the lock's ctime (the same inode), keeping it young
    const started = Date.now();
    const modifying = backend.modify(ID, increment);
    await sleep(500);
    const now = Date.now() / 1000 + 900;
    utimesSync(join(dir, `session_${ID}`), now, now); // another process's touch, while the modify waits
    expect(await modifying).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(Date.now() - started).toBeLessThan(5000); // far less than lockStale
    expect(await backend.read(ID)).toBe("6");
    expect(await readdir(dir)).toEqual([`session_${ID}`]);
  });

  it("writes nothing and fails when its lock was broken and taken by another holder while it ran", async () => {
    const backend = new FilesystemBackend(dir);
    await backend.write(ID, "1", 600);
    const lock = join(dir, `session_${ID}.lock`);
    const result = backend.modify(ID, (current) => {
      // What a process that judged this holder stale would do: remove its lock and take one of its own.
      unlinkSync(lock);
      foreignLock();
      return increment(current);
    });
    await expect(result).rejects.toMatchObject({ code: "ELOCKLOST" });
    expect(await backend.read(ID)).toBe("1");
    expect(statSync(lock).nlink).toBe(2); // the other holder's lock is still there
  });

  it("replaces a session under both locks: the new id has the data, the old one none", async () => {
    const backend = new FilesystemBackend(dir);
    const newId = "b".repeat(43);
    await backend.write(ID, "old", 600);
    await backend.replace(ID, newId, "new", 600);
    expect(await backend.read(ID)).toBeUndefined();
    expect(await backend.read(newId)).toBe("new");
    expect(await readdir(dir)).toEqual([`session_${newId}`]);
  });

  it("reads a file another writer replaced, even with the same size and mtime as the one it wrote", async () => {
    const backend = new FilesystemBackend(dir);
    await backend.write(ID, "mine", 600);
    const path = join(dir, `session_${ID}`);
    const mine = await stat(path);
    const temp = `${path}.other`;
    await writeFile(temp, (await readFile(path, "latin1")).replace("mine", "them"));
    const whole = Math.floor(mine.mtimeMs / 1000);
    const micro = Math.round(mine.mtimeMs * 1000) - whole * 1e6;
    await utimes(temp, whole + (micro + 0.5) / 1e6, whole + (micro + 0.5) / 1e6); // the very microsecond
    expect((await stat(temp)).ino).not.toBe(mine.ino);
    await rename(temp, path);
    expect((await stat(path)).mtimeMs).toBe(mine.mtimeMs);
    expect(await backend.read(ID)).toBe("them");
  });
});

describe("FilesystemBackend.touch", () => {
  let root: string;
  let dir: string;
  let clock: number;
  let backend: FilesystemBackend;
  const path = () => join(dir, `session_${ID}`);

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), "ts-fs-touch-"));
    dir = join(root, "sessions");
    clock = T;
    backend = new FilesystemBackend(dir, () => clock);
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("moves the expiry into the file's mtime and leaves its bytes and inode as they were", async () => {
    await backend.write(ID, "data", 60);
    const before = readFileSync(path());
    const { ino } = statSync(path());
    clock += 10;
    expect(await backend.touch(ID, 600)).toBe(true);
    expect(readFileSync(path())).toEqual(before); // the expiry line still says T + 60
    expect(before.toString("latin1")).toBe(`${T + 60}\ndata`);
    const after = statSync(path());
    expect(after.ino).toBe(ino);
    expect(Math.floor(after.mtimeMs / 1000)).toBe(T + 610); // the expiry now lives in the mtime
    clock = T + 61;
    expect(await backend.read(ID)).toBe("data");
    clock = T + 609;
    expect(await backend.read(ID)).toBe("data");
    expect(await backend.cleanup()).toBe(0);
    clock = T + 610;
    expect(await backend.read(ID)).toBeUndefined();
    expect(await backend.cleanup()).toBe(1);
  });

  it.each<Io>(["sync", "async"])("is seen by another backend, which reads the file from disk (io %s)", async (io) => {
    await backend.write(ID, "data", 60);
    expect(await backend.touch(ID, 600)).toBe(true);
    clock = T + 100;
    const other = new FilesystemBackend(dir, () => clock, { io });
    expect(await other.read(ID)).toBe("data");
    expect(await other.modify(ID, (current) => (current === undefined ? undefined : { data: `${current}!`, ttlSeconds: 60 }))).toBe(true);
    expect(await backend.read(ID)).toBe("data!");
  });

  it("returns false and creates or extends nothing for a missing, expired or damaged file", async () => {
    expect(await backend.touch(ID, 600)).toBe(false);
    expect(await readdir(dir)).toEqual([]);
    await backend.write(ID, "data", 10);
    const before = statSync(path()).mtimeMs;
    clock += 10;
    expect(await backend.touch(ID, 600)).toBe(false);
    expect(statSync(path()).mtimeMs).toBe(before);
    expect(await backend.read(ID)).toBeUndefined();
    writeFileSync(path(), "garbage");
    expect(await backend.touch(ID, 600)).toBe(false);
    expect(readFileSync(path(), "latin1")).toBe("garbage");
  });

  it("rewrites the file, same data, for an expiry earlier than its expiry line", async () => {
    await backend.write(ID, "data", 600);
    expect(await backend.touch(ID, 60)).toBe(true);
    expect(readFileSync(path(), "latin1")).toBe(`${T + 60}\ndata`);
    clock = T + 60;
    expect(await backend.read(ID)).toBeUndefined();
  });

  it("moves a touched expiry again, earlier or later, while it stays after the expiry line", async () => {
    await backend.write(ID, "data", 60);
    expect(await backend.touch(ID, 600)).toBe(true);
    clock = T + 50;
    expect(await backend.touch(ID, 100)).toBe(true); // T + 150: earlier than T + 600, later than the line
    expect(Math.floor(statSync(path()).mtimeMs / 1000)).toBe(T + 150);
    expect(readFileSync(path(), "latin1")).toBe(`${T + 60}\ndata`);
    clock = T + 149;
    expect(await backend.read(ID)).toBe("data");
    clock = T + 150;
    expect(await backend.read(ID)).toBeUndefined();
  });

  it("reads files written before touch existed: the expiry line rules, the mtime being the write time", async () => {
    writeFileSync(path(), `${T + 60}\nold-data`);
    utimesSync(path(), T, T);
    expect(await backend.read(ID)).toBe("old-data");
    clock = T + 59;
    expect(await backend.touch(ID, 600)).toBe(true);
    clock = T + 61;
    expect(await backend.read(ID)).toBe("old-data");
    clock = T + 658;
    expect(await backend.read(ID)).toBe("old-data");
    clock = T + 659;
    expect(await backend.read(ID)).toBeUndefined();
  });

  it("never brings back a session deleted while touches of it were queued", async () => {
    for (let round = 0; round < 100; round++) {
      await backend.write(ID, "data", 60);
      const touches = Array.from({ length: 4 }, (_, n) => turns(n).then(() => backend.touch(ID, 600)));
      await Promise.all([...touches, turns(Math.floor(Math.random() * 4)).then(() => backend.delete(ID))]);
      expect(await readdir(dir)).toEqual([]);
    }
  });
});
