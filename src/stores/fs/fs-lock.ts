// The cross-process lock of one session file, for every process that shares the directory (on one machine,
// or over NFS). No native addon: Node has no flock/fcntl, so the lock is a name that exists or not.
//
// To take the lock of `session_<id>`, a writer creates its temp file `session_<id>.<hex>.tmp` (O_EXCL, the
// file its new data will be written to), writes an owner line into it (host, pid, a per-process nonce), and
// hard-links it to `session_<id>.lock`: link(2) fails with EEXIST when the name exists, atomically, on local
// filesystems and over NFS (the classic dotlock). The holder later writes its data into that same file and
// renames it over `session_<id>`, then removes the link. So taking the lock costs one link(2) (the temp file
// is made anyway), and the lock file names its owner while it is waited on.
//
// A waiter that finds the lock taken reads it: the owner line says who holds it. It is stale (left by a
// crash) when its owner ran on this machine (same boot, same pid namespace) and that pid is gone, or is this
// process's own pid (an earlier process's, such as a restarted container's pid 1, or a leftover of this one:
// locks are taken under the in-process queue, so no waiter here waits on a lock this process still holds);
// or, whoever the owner, when the lock's inode has not changed for `staleMs` (its ctime: every write, link
// and rename of the holder moves it, and a holder waiting between steps beats it with a chmod); or when it
// has stayed linked to the session file itself for a second (its holder renamed its data in, then died
// before removing it). A stale lock is broken under a second lock, `session_<id>.break`, taken the same
// way, after checking the lock is still the very inode judged stale, so two waiters never both break it and
// never remove a lock taken meanwhile. A holder checks that the lock is still its own just before it
// renames its data in (the fence), and before it removes the lock.
import { sha256Base64Url } from "../../codec/sha256.ts";
import { nodeFs, nodeOs, nodePath } from "./node-fs.ts";
import { randomBytesFromPool } from "../../codec/random-pool.ts";
import type { Io, IoFile } from "./fs-io.ts";
import { isExisting, isMissing } from "./fs-io.ts";

/** The suffix of a session file's lock. */
export const LOCK_SUFFIX = ".lock";
/** The suffix of the lock that guards breaking a stale {@link LOCK_SUFFIX} lock. */
export const BREAK_SUFFIX = ".break";
/** The suffix of temp files (`session_<id>.<16 hex>.tmp`). */
export const TEMP_SUFFIX = ".tmp";

/** How long a lock may be held, and waited for. */
export interface LockTimes {
  /** A lock whose inode has not changed for this long (ms) is stale, whoever holds it. */
  readonly staleMs: number;
  /** Waiting longer than this (ms) for a lock fails. */
  readonly timeoutMs: number;
}

/** A lock this process holds, with the temp file it is a link to (open, its owner line written). */
export interface HeldLock {
  /** `session_<id>`. */
  readonly target: string;
  /** `session_<id>.lock`. */
  readonly lockPath: string;
  /** `session_<id>.<hex>.tmp`, the inode the lock links to. */
  readonly tempPath: string;
  /** The temp file, open for writing until the holder closes it. */
  readonly file: IoFile;
  /** The inode of the temp file (and of the lock): how the holder knows the lock is still its own. */
  readonly ino: number;
  /** Bytes of the owner line at the start of the temp file (data written over it must cover or cut them). */
  readonly ownerBytes: number;
  /** When the holder last moved the lock's ctime (`Date.now()`). */
  beat: number;
  /** Set once the temp file was renamed over the target (it no longer has its temp name). */
  renamed: boolean;
}

/** Thrown when a lock stayed taken for longer than {@link LockTimes.timeoutMs}. */
export class LockTimeoutError extends Error {
  /** `"ELOCKED"`. */
  readonly code = "ELOCKED";
}

/** Thrown by a holder that finds its lock broken (it was judged stale) before it committed anything. */
export class LockLostError extends Error {
  /** `"ELOCKLOST"`. */
  readonly code = "ELOCKLOST";
}

/**
 * How long (ms) a lock may stay linked to its session file, its holder's data renamed in, before it counts
 * as a dead holder's: a live holder removes it with its next two calls.
 */
const COMMITTED_GRACE_MS = 1000;
/** The most locks {@link FileLocks} remembers having seen linked to their session file. */
const COMMITTED_SEEN_ENTRIES = 1024;

const OWNER = /^typed-sessions-lock 1 ([A-Za-z0-9_-]{16}) (\d{1,10}) ([0-9a-f]{16}) ([0-9a-f]{16})\n/;
/** Enough bytes of a lock file to hold its owner line. */
const OWNER_LIMIT = 128;

let machine: string | undefined;
/**
 * Names this machine and pid namespace, so that a pid in an owner line is only checked where it means the
 * same process: the host name, Linux's boot id (a pid from before a reboot is someone else) and pid namespace
 * (containers sharing a volume each have their own pid 1). Elsewhere (macOS) the host name alone.
 */
function machineTag(): string {
  if (machine !== undefined) return machine;
  let boot = "";
  let pids = "";
  try {
    boot = nodeFs.readFileSync("/proc/sys/kernel/random/boot_id", "latin1").trim();
  } catch {
    // not Linux
  }
  try {
    pids = nodeFs.readlinkSync("/proc/self/ns/pid");
  } catch {
    // not Linux
  }
  machine = sha256Base64Url(`${nodeOs.hostname()}\0${boot}\0${pids}`).slice(0, 16);
  return machine;
}

let nonce: string | undefined;
/** A random tag of this process, so that a lock left by an earlier process with the same pid is told apart. */
function processNonce(): string {
  nonce ??= Buffer.from(randomBytesFromPool(8)).toString("hex");
  return nonce;
}

/** Tells whether process `pid` runs (one of another user's counts as running). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** What a waiter saw of a lock it judged stale. */
interface Seen {
  readonly ino: number;
  readonly ctimeMs: number;
  readonly text: string;
  /** The lock is a link to the session file itself: its holder renamed its data in and has nothing left to guard. */
  readonly committed: boolean;
}

interface Owner {
  readonly machine: string;
  readonly pid: number;
  readonly nonce: string;
  readonly temp: string;
}

function ownerOf(text: string): Owner | undefined {
  const match = OWNER.exec(text);
  if (match === null) return undefined;
  return { machine: match[1] ?? "", pid: Number(match[2]), nonce: match[3] ?? "", temp: match[4] ?? "" };
}

/** Tells whether the owner of a lock is known to be gone: it ran on this machine and its process did not survive. */
function ownerGone(owner: Owner | undefined): boolean {
  if (owner === undefined || owner.machine !== machineTag()) return false;
  if (owner.pid === process.pid) return true; // an earlier process with our pid, or this process's own leftover
  return !(Number.isSafeInteger(owner.pid) && owner.pid > 0 && running(owner.pid));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Waits before the `attempt`-th retry: a turn of the event loop twice, then 1, 2, 4 … 32 ms, jittered. */
function backoff(attempt: number): Promise<void> {
  if (attempt < 2) return nextTurn();
  return sleep(Math.min(32, 2 ** (attempt - 2)) * (0.5 + Math.random()));
}

/**
 * Takes and releases the cross-process locks of session files (see the top of this file). `ensureDir`
 * recreates the directory when it vanished. A lock is always taken while the caller holds the in-process
 * lock of the same file, so a lock file naming this very process is a leftover, not a holder.
 */
export class FileLocks {
  readonly #io: Io;
  readonly #times: LockTimes;
  readonly #ensureDir: () => unknown;
  /**
   * Locks seen linked to their session file (see {@link FileLocks.#stale}): when each was first seen so, by
   * inode. Bounded: emptied past {@link COMMITTED_SEEN_ENTRIES}.
   */
  readonly #committedSeen = new Map<string, { readonly ino: number; readonly since: number; last: number }>();

  /** Locks through `io`, with `times`; `ensureDir` recreates the directory when a file cannot be made in it. */
  constructor(io: Io, times: LockTimes, ensureDir: () => unknown) {
    this.#io = io;
    this.#times = times;
    this.#ensureDir = ensureDir;
  }

  /** Creates a temp file for `target` holding the owner line; the directory is recreated if it vanished. */
  async #makeTemp(target: string): Promise<{ path: string; file: IoFile; ino: number; ownerBytes: number }> {
    const hex = Buffer.from(randomBytesFromPool(8)).toString("hex");
    const path = `${target}.${hex}${TEMP_SUFFIX}`;
    let file: IoFile;
    try {
      file = await this.#io.create(path);
    } catch (err) {
      if (!isMissing(err)) throw err;
      await this.#ensureDir();
      file = await this.#io.create(path);
    }
    try {
      const line = Buffer.from(`typed-sessions-lock 1 ${machineTag()} ${process.pid} ${processNonce()} ${hex}\n`, "latin1");
      await file.write(line, 0);
      const { ino } = await file.stat();
      return { path, file, ino, ownerBytes: line.length };
    } catch (err) {
      await this.#discard(path, file);
      throw err;
    }
  }

  async #discard(path: string, file: IoFile): Promise<void> {
    try {
      await file.close();
    } finally {
      await this.#io.unlink(path);
    }
  }

  /**
   * Takes the lock of `target` (a session file path), waiting with backoff while another live holder has
   * it and breaking it when stale; throws {@link LockTimeoutError} after {@link LockTimes.timeoutMs}.
   */
  async acquire(target: string): Promise<HeldLock> {
    const lockPath = target + LOCK_SUFFIX;
    const deadline = Date.now() + this.#times.timeoutMs;
    let temp = await this.#makeTemp(target);
    for (let attempt = 0; ;) {
      try {
        await this.#io.link(temp.path, lockPath);
        return {
          target,
          lockPath,
          tempPath: temp.path,
          file: temp.file,
          ino: temp.ino,
          ownerBytes: temp.ownerBytes,
          beat: Date.now(),
          renamed: false,
        };
      } catch (err) {
        if (isMissing(err)) {
          // Our temp file was swept away by a clear() (or the directory removed): make another.
          await this.#discard(temp.path, temp.file);
          temp = await this.#makeTemp(target);
          continue;
        }
        if (!isExisting(err)) {
          await this.#discard(temp.path, temp.file);
          throw err;
        }
      }
      try {
        if (await this.#breakIfStale(lockPath, temp.path, temp.ino)) continue;
      } catch (err) {
        await this.#discard(temp.path, temp.file);
        throw err;
      }
      if (Date.now() >= deadline) {
        await this.#discard(temp.path, temp.file);
        const name = nodePath.basename(target);
        throw new LockTimeoutError(
          `the lock of ${name.slice(0, "session_".length + 6)}… stayed taken for ${this.#times.timeoutMs} ms by a live holder; another process is slow or hung.`,
        );
      }
      await backoff(attempt++);
    }
  }

  /**
   * Looks at the lock `lockPath` that a link just found taken: returns `true` when it is gone now or was
   * stale and has been broken (take it again at once), `false` when a live holder has it.
   */
  async #breakIfStale(lockPath: string, ourTemp: string, ourIno: number): Promise<boolean> {
    const seen = await this.#stale(lockPath, lockPath.slice(0, -LOCK_SUFFIX.length));
    if (seen === "gone") return true;
    if (seen === "live") return false;
    return this.#break(lockPath, seen, ourTemp, ourIno);
  }

  /**
   * Breaks the stale lock `lockPath` (as `seen`) under its break lock, taken by linking our temp file
   * `ourTemp` (inode `ourIno`), and removes the dead holder's temp file; returns whether it removed the
   * lock (`false` when another process is breaking it, or the lock changed since it was judged).
   */
  async #break(lockPath: string, seen: Seen, ourTemp: string, ourIno: number): Promise<boolean> {
    const target = lockPath.slice(0, -LOCK_SUFFIX.length);
    const breakPath = target + BREAK_SUFFIX;
    try {
      await this.#io.link(ourTemp, breakPath);
    } catch (err) {
      if (!isExisting(err)) throw err;
      // Someone else is breaking it; a breaker that died meanwhile leaves a stale break lock, broken here
      // without a third lock (both would have to fail at once for that to race).
      const other = await this.#stale(breakPath);
      if (other !== "live" && other !== "gone") await this.#removeIfSame(breakPath, other);
      return false;
    }
    let removed = false;
    try {
      removed = await this.#removeIfSame(lockPath, seen);
      const owner = ownerOf(seen.text);
      if (owner !== undefined) {
        // The dead holder's temp file, if it is still the lock's inode.
        const temp = `${target}.${owner.temp}${TEMP_SUFFIX}`;
        const info = await this.#io.lstat(temp);
        if (info !== undefined && info.ino === seen.ino) await this.#io.unlink(temp);
      }
    } finally {
      const info = await this.#io.lstat(breakPath);
      if (info !== undefined && info.ino === ourIno) await this.#io.unlink(breakPath);
    }
    return removed;
  }

  /**
   * Removes `path` if it is still the inode judged stale, unchanged since (same ctime: a live holder's beat
   * moves it) unless it was judged committed; returns whether it did.
   */
  async #removeIfSame(path: string, seen: Seen): Promise<boolean> {
    const now = await this.#io.lstat(path);
    if (now === undefined || now.ino !== seen.ino || (!seen.committed && now.ctimeMs !== seen.ctimeMs)) return false;
    await this.#io.unlink(path);
    return true;
  }

  /**
   * Judges the lock file `path` of the session file `target` (none for a break lock): gone, held by a live
   * holder, or stale, with what was seen of it. A lock that links to `target` itself belongs to a holder that
   * has renamed its data in: a live one removes it within moments, so one seen so for
   * {@link COMMITTED_GRACE_MS} (or the stale time, if shorter) is a dead holder's, stale whatever its ctime
   * says (a touch of the session moves it, and would keep it young for as long as the touches go on).
   */
  async #stale(path: string, target?: string): Promise<"gone" | "live" | Seen> {
    const read = await this.#io.read(path, OWNER_LIMIT);
    if (read === undefined) {
      this.#committedSeen.delete(path);
      return "gone";
    }
    const { stats, text } = read;
    const seen = { ino: stats.ino, ctimeMs: stats.ctimeMs, text };
    if (target !== undefined && (await this.#io.lstat(target))?.ino === stats.ino) {
      // Only a sighting that goes on (looked at again within the grace each time) counts: an inode number
      // seen committed long ago may have been reused by a live holder's file since.
      const now = Date.now();
      const grace = Math.min(COMMITTED_GRACE_MS, this.#times.staleMs);
      const first = this.#committedSeen.get(path);
      if (first !== undefined && first.ino === stats.ino && now - first.last < grace) {
        first.last = now;
        return now - first.since >= grace ? { ...seen, committed: true } : "live";
      }
      if (this.#committedSeen.size >= COMMITTED_SEEN_ENTRIES) this.#committedSeen.clear();
      this.#committedSeen.set(path, { ino: stats.ino, since: now, last: now });
      return "live";
    }
    this.#committedSeen.delete(path);
    const idle = Date.now() - stats.ctimeMs;
    if (ownerGone(ownerOf(text)) || idle > this.#times.staleMs) return { ...seen, committed: false };
    return "live";
  }

  /**
   * Moves the lock's ctime when the holder has had it for a while (a quarter of the stale time), so a
   * holder that is slow between steps (async I/O on a busy disk) is not judged stale.
   */
  async beat(held: HeldLock): Promise<void> {
    const now = Date.now();
    if (now - held.beat < this.#times.staleMs / 4) return;
    held.beat = now;
    await held.file.chmod(0o600);
  }

  /** Throws {@link LockLostError} unless the lock is still `held`'s (checked just before a commit). */
  async fence(held: HeldLock): Promise<void> {
    const info = await this.#io.lstat(held.lockPath);
    if (info === undefined || info.ino !== held.ino) {
      throw new LockLostError("a session file's lock was broken while its holder still ran (judged stale); nothing was written.");
    }
  }

  /** Releases `held`: removes the lock if it is still ours, and the temp file unless it was renamed in. */
  async release(held: HeldLock): Promise<void> {
    try {
      await held.file.close();
    } finally {
      try {
        const info = await this.#io.lstat(held.lockPath);
        if (info !== undefined && info.ino === held.ino) await this.#io.unlink(held.lockPath);
      } finally {
        if (!held.renamed) await this.#io.unlink(held.tempPath);
      }
    }
  }

  /**
   * Breaks the lock file `path` (`.lock` or `.break`) if it is stale, with the dead holder's temp file (for
   * sweeps and `clear()`, which hold the in-process lock of its session file); returns whether it did.
   */
  async removeIfStale(path: string): Promise<boolean> {
    const isBreak = path.endsWith(BREAK_SUFFIX);
    const seen = await this.#stale(path, isBreak ? undefined : path.slice(0, -LOCK_SUFFIX.length));
    if (seen === "gone" || seen === "live") return false;
    if (isBreak) return this.#removeIfSame(path, seen);
    const temp = await this.#makeTemp(path.slice(0, -LOCK_SUFFIX.length));
    try {
      return await this.#break(path, seen, temp.path, temp.ino);
    } finally {
      await this.#discard(temp.path, temp.file);
    }
  }
}
