import type { Stats } from "node:fs";
import { SessionError } from "../../errors.ts";
import { ensurePrivateDir, ensurePrivateDirSync } from "./private-dir.ts";
import type { SessionBackend } from "../server-store.ts";
import { isValidSessionId } from "../session-id.ts";
import { systemNow } from "../../internal/time.ts";
import { KeyedLock } from "../../internal/keyed-lock.ts";
import { withoutIds } from "../backend-error.ts";
import { type Io, asyncIo, isMissing, syncIo } from "./fs-io.ts";
import { nodeFs, nodeFsPromises, nodePath } from "./node-fs.ts";
import { BREAK_SUFFIX, FileLocks, type HeldLock, LOCK_SUFFIX, TEMP_SUFFIX } from "./fs-lock.ts";

const PREFIX = "session_";
const EXPIRY = /^\d{1,15}$/;
/** Temp files older than this (seconds) are left over from a crash; `cleanup()` removes them. */
const STALE_TEMP_SECONDS = 3600;
/**
 * The least time (seconds, on the backend's clock) between two sweeps of stale temp files that writes
 * start by themselves: a sweep reads the directory, so it runs at most this often, off the save path.
 */
const TEMP_SWEEP_SECONDS = 600;
/** The default of `lockStale` option, seconds. */
const LOCK_STALE_SECONDS = 10;
/** The default of `lockTimeout` option, seconds. */
const LOCK_TIMEOUT_SECONDS = 15;
/** The first bytes of a file that hold its expiry line (15 digits and the newline), and some. */
const HEAD_BYTES = 32;
/**
 * Serializes the changes to each session file, keyed by its real path (symlinks in the directory's path
 * resolved): shared by every backend of the process, so two stores on one directory queue too, whatever
 * path they were given. Holds only files with a change pending, so it stays small.
 */
const fileLocks = new KeyedLock();

/** What this process wrote last to a session file, with the metadata that tells whether it is still there. */
interface Written {
  readonly ino: number;
  readonly size: number;
  /** The file's mtime in whole microseconds: each write sets a random one, so another write cannot match it. */
  readonly mtimeUs: number;
  /** The expiry line's value. */
  readonly expires: number;
  readonly data: string;
}

/**
 * The data this process wrote last to each session file (by real path), so that a read of a file nobody
 * replaced since costs one `stat`, not an open, a read and a close. Bounded: past {@link WRITTEN_ENTRIES}
 * entries or {@link WRITTEN_BYTES} of data the oldest entries go; files larger than
 * {@link WRITTEN_MAX_BYTES} are not kept. Shared by every backend of the process, like {@link fileLocks}.
 */
const written = new Map<string, Written>();
const WRITTEN_ENTRIES = 4096;
const WRITTEN_BYTES = 4 * 1024 * 1024;
const WRITTEN_MAX_BYTES = 64 * 1024;
/** The data bytes {@link written} holds. */
let writtenBytes = 0;

function forget(path: string): void {
  const entry = written.get(path);
  if (entry === undefined) return;
  writtenBytes -= entry.data.length;
  written.delete(path);
}

function remember(path: string, entry: Written): void {
  forget(path);
  while (written.size > 0 && (written.size >= WRITTEN_ENTRIES || writtenBytes + entry.data.length > WRITTEN_BYTES)) {
    const oldest = written.keys().next();
    if (oldest.done === true) break;
    forget(oldest.value);
  }
  written.set(path, entry);
  writtenBytes += entry.data.length;
}

/**
 * Linux `statfs` magic numbers of network and cluster filesystems (NFS, SMB/CIFS, FUSE, 9p, Ceph, AFS, Coda,
 * NCP, OCFS2, GFS2): their clients may answer `stat` from an attribute cache, so a file another machine
 * replaced can still look like the one this process wrote; {@link written} is not used on them.
 */
const NETWORK_FILESYSTEMS = new Set([
  0x6969, 0x517b, 0xff534d42, 0xfe534d42, 0x65735546, 0x01021997, 0x00c36400, 0x5346414f, 0x73757245, 0x564c, 0x7461636f, 0x01161970,
]);

/** Tells whether `stat` can be trusted to show another writer's change to a file in `dir` at once. */
function statIsFresh(dir: string): boolean {
  if (process.platform !== "linux") return true;
  try {
    return !NETWORK_FILESYSTEMS.has(Number(nodeFs.statfsSync(dir).type));
  } catch {
    return false;
  }
}

/** The modification time of `stats` in whole microseconds (what Node's utimes keeps). */
function mtimeUs(stats: Stats): number {
  return Math.round(stats.mtimeMs * 1000);
}

/**
 * A modification time of whole seconds `base` and a random microsecond: what writes and touches set, so
 * that every write leaves a different mtime (the {@link written} check), with the microseconds it reads
 * back as (the half microsecond survives Node's rounding of utimes to microseconds).
 */
function stamp(base: number): { readonly seconds: number; readonly us: number } {
  const micro = Math.floor(Math.random() * 1e6);
  return { seconds: base + (micro + 0.5) / 1e6, us: base * 1e6 + micro };
}

/** The expiry of a file with expiry line `expires`: a touch moved it later into the file's mtime. */
function expiryOf(expires: number, stats: Stats): number {
  return Math.max(expires, Math.floor(stats.mtimeMs / 1000));
}

/** A session file's data, expiry line and metadata, as read now. */
interface Current {
  readonly data: string;
  readonly expires: number;
  readonly stats: Stats;
}

function seconds(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) {
    throw new SessionError("invalid_option", `${name} must be a number of seconds > 0, got ${value}.`);
  }
  return value;
}

/**
 * A {@link SessionBackend} with one file per session in `dir` (created with mode 0700): `session_<id>`,
 * mode 0600, holding `<expiresAt>\n<codec data>`. Writes go to a temp file renamed over the target, so a
 * reader never sees half a file. Ids are checked against the strict pattern before any path is built.
 *
 * Every change to a session file (`write`, `update`, `modify`, `replace`, `delete`, and the per-file steps of
 * `clear` and `cleanup`) holds its lock, within the process (a queue per file, shared by every backend on the
 * same directory, in call order) and across the processes sharing the directory (a lock file, see
 * `fs-lock.ts`: a hard link to the writer's temp file, with stale locks of crashed holders broken). So an
 * `update` or `modify` that finds the file gone writes nothing, a `delete` made while one is under way lands
 * after it (a logout is never undone by a save still in flight, in any process), and `modify` is an atomic
 * read-modify-write. Reads take no lock. A read of a file this process wrote last and nobody replaced since
 * (same inode, size and mtime, whose microseconds every write sets at random) costs one `stat`: the data
 * comes from memory (not on network filesystems, whose `stat` may answer from a cache).
 *
 * Over NFS or another network filesystem, use `io: "async"` (a slow server must not hold the event loop);
 * machines sharing a directory need clocks within a few seconds of each other, since lock ages are compared
 * across them (a lock is broken after `lockStale` seconds without change).
 *
 * `touch` moves the expiry without rewriting the file: the expiry of a file is its expiry line, or its
 * modification time when a touch set that later (files written before touches existed read as before).
 */
export class FilesystemBackend implements SessionBackend {
  /** The absolute directory the files live in. */
  readonly dir: string;
  /** {@link dir} with symlinks resolved: file paths and lock keys are built on it. */
  readonly #root: string;
  readonly #now: () => number;
  readonly #io: Io;
  readonly #locks: FileLocks;
  readonly #onSweepError: ((err: unknown) => void) | undefined;
  /** Whether reads may take data this process wrote last from memory after a `stat` (not on network filesystems). */
  readonly #remembers: boolean;
  /** When the last sweep of stale temp files started (backend clock, seconds). */
  #lastTempSweep = Number.NEGATIVE_INFINITY;
  #sweepingTemps = false;

  /**
   * Creates the directory (mode 0700) if needed; `now` is the clock in Unix seconds. Throws
   * `invalid_option` when the path is a symlink, not a directory, or owned by another user (its file names
   * are session ids), or for a lock time that is not a number of seconds > 0; takes group and other
   * permissions away from a directory of this user's.
   *
   * Temp files a crash left behind (older than an hour) and stale locks are removed without any setup: by a
   * sweep started when the backend is created, and by one a write starts when the last began 10 minutes
   * ago or more. Both run in the background, on an `unref`'d timer, and report failures to
   * `options.onSweepError` (never thrown; the ids in file paths cut short).
   */
  constructor(
    dir: string,
    now: () => number = systemNow,
    options: {
      /** Receives the failures of background sweeps of stale temp files (never thrown). */
      readonly onSweepError?: ((err: unknown) => void) | undefined;
      /**
       * How files are read and written: `"sync"` (node:fs's synchronous calls: no thread-pool hop, so a save
       * and a load take about half the time of `"async"` on a local disk; the event loop waits for each call,
       * 0.15-0.2 ms per save on a healthy ext4 disk, most of it creating the temp file and renaming it in) or
       * `"async"` (node:fs/promises: a slow or network disk never holds the event loop). Waiting for another
       * process's lock never blocks either way.
       * @default "sync"
       */
      readonly io?: "sync" | "async" | undefined;
      /**
       * Seconds after which a session file's lock, whose inode has not changed since, counts as stale (its
       * holder crashed or hung) and is broken. A lock whose holder ran on this machine and died is broken at
       * once. @default 10
       */
      readonly lockStale?: number | undefined;
      /** Seconds to wait for another live holder's lock before the operation fails. @default 15 */
      readonly lockTimeout?: number | undefined;
    } = {},
  ) {
    this.dir = nodePath.resolve(dir);
    this.#now = now;
    this.#onSweepError = options.onSweepError;
    const io = options.io ?? "sync";
    if (io !== "sync" && io !== "async") throw new SessionError("invalid_option", `io must be "sync" or "async", got ${String(io)}.`);
    this.#io = io === "sync" ? syncIo : asyncIo;
    const times = {
      staleMs: seconds("lockStale", options.lockStale, LOCK_STALE_SECONDS) * 1000,
      timeoutMs: seconds("lockTimeout", options.lockTimeout, LOCK_TIMEOUT_SECONDS) * 1000,
    };
    try {
      ensurePrivateDirSync(this.dir);
      this.#root = nodeFs.realpathSync(this.dir);
      this.#remembers = statIsFresh(this.#root);
    } catch (cause) {
      const message = (cause as Error).message;
      throw new SessionError(
        "invalid_option",
        (cause as NodeJS.ErrnoException).code === undefined
          ? message
          : `the session directory ${this.dir} could not be created or checked (${message}); check the path and its permissions.`,
        { cause },
      );
    }
    const root = this.#root;
    this.#locks = new FileLocks(this.#io, times, io === "sync" ? () => ensurePrivateDirSync(root) : () => ensurePrivateDir(root));
    this.#maybeSweepTemps();
  }

  /** Starts a background sweep of stale temp files when none ran for {@link TEMP_SWEEP_SECONDS}. */
  #maybeSweepTemps(): void {
    const now = this.#now();
    if (this.#sweepingTemps || now - this.#lastTempSweep < TEMP_SWEEP_SECONDS) return;
    this.#lastTempSweep = now;
    this.#sweepingTemps = true;
    const timer = setTimeout(() => {
      this.removeStaleTemps()
        .catch((err: unknown) => {
          try {
            this.#onSweepError?.(err);
          } catch {
            // a logging hook must not crash the process
          }
        })
        .finally(() => {
          this.#sweepingTemps = false;
        });
    }, 0);
    timer.unref();
  }

  /**
   * Deletes the temp files left by a crash (`session_<id>.<random>.tmp` older than an hour) and breaks stale
   * locks; returns how many temp files it deleted. Writes and creating the backend start it by themselves;
   * `cleanup()` does it too.
   */
  async removeStaleTemps(): Promise<number> {
    const now = this.#now();
    let removed = 0;
    for (const entry of await this.#entries()) {
      if (entry.endsWith(TEMP_SUFFIX)) removed += await this.#removeIfStaleTemp(entry, now);
      else if (isLockEntry(entry)) await this.#removeIfStaleLock(entry);
    }
    return removed;
  }

  /** Deletes the temp file `entry` if it is older than {@link STALE_TEMP_SECONDS}; returns 1 if it did. */
  async #removeIfStaleTemp(entry: string, now: number): Promise<number> {
    const path = nodePath.join(this.#root, entry);
    return fileLocks.run(this.#fileOf(entry), async () => {
      try {
        const info = await this.#io.lstat(path);
        if (info === undefined || info.mtimeMs / 1000 >= now - STALE_TEMP_SECONDS) return 0;
        await this.#io.unlink(path);
        return 1;
      } catch (err) {
        throw withoutIds(err, [idOf(entry)]);
      }
    });
  }

  /** Breaks the lock file `entry` if it is stale (see `fs-lock.ts`). */
  async #removeIfStaleLock(entry: string): Promise<void> {
    try {
      await fileLocks.run(this.#fileOf(entry), () => this.#locks.removeIfStale(nodePath.join(this.#root, entry)));
    } catch (err) {
      throw withoutIds(err, [idOf(entry)]);
    }
  }

  /** Returns the file's data, or `undefined` when missing or expired; throws `corrupt_data` for a damaged file. */
  async read(id: string): Promise<string | undefined> {
    return (await this.#current(this.#path(id), id, false))?.data;
  }

  /** Like {@link FilesystemBackend.read}, with when the data expires (Unix seconds: its expiry line, or a later touch's mtime). */
  async readWithExpiry(id: string): Promise<{ readonly data: string; readonly expiresAt: number } | undefined> {
    const current = await this.#current(this.#path(id), id, false);
    return current === undefined ? undefined : { data: current.data, expiresAt: expiryOf(current.expires, current.stats) };
  }

  /**
   * Reads the session file `path` as it is now: `undefined` when it is missing or expired (or damaged, when
   * `lenient`; otherwise that throws `corrupt_data`). When the file is still the one this process wrote last
   * (same inode, size and microsecond mtime), its data comes from memory after a single `stat`.
   */
  async #current(path: string, id: string, lenient: boolean): Promise<Current | undefined> {
    let stats: Stats | undefined;
    try {
      stats = await this.#io.stat(path);
      if (stats === undefined) {
        forget(path);
        return undefined;
      }
    } catch {
      stats = undefined; // reported by the read below, as the failure to open the file
    }
    if (stats !== undefined && this.#remembers) {
      const last = written.get(path);
      if (last !== undefined && last.ino === stats.ino && last.size === stats.size && last.mtimeUs === mtimeUs(stats)) {
        return expiryOf(last.expires, stats) > this.#now() ? { data: last.data, expires: last.expires, stats } : undefined;
      }
    }
    const read = await this.#io.read(path);
    if (read === undefined) return undefined;
    const { text } = read;
    const end = text.indexOf("\n");
    const expiry = end < 0 ? "" : text.slice(0, end);
    if (!EXPIRY.test(expiry)) {
      if (lenient) return undefined;
      throw new SessionError("corrupt_data", `the session file for id ${id.slice(0, 6)}… has no valid expiry line; a fresh session was started.`);
    }
    const expires = Number(expiry);
    if (expiryOf(expires, read.stats) <= this.#now()) return undefined;
    return { data: text.slice(end + 1), expires, stats: read.stats };
  }

  /**
   * Writes `data` into the locked temp file, stamps its mtime, and renames it over `path` if the lock is
   * still `held`'s; remembers what it wrote (see {@link written}).
   */
  async #commit(held: HeldLock, path: string, data: string, ttlSeconds: number): Promise<void> {
    const now = this.#now();
    const expires = Math.floor(now + ttlSeconds);
    const bytes = Buffer.from(`${expires}\n${data}`, "latin1");
    const file = held.file;
    await file.write(bytes, 0);
    if (bytes.length < held.ownerBytes) await file.truncate(bytes.length);
    const mtime = stamp(Math.floor(now));
    await file.utimes(mtime.seconds, mtime.seconds);
    const stats = await file.stat();
    await file.close();
    await this.#locks.fence(held);
    await this.#io.rename(held.tempPath, path);
    held.renamed = true;
    // Kept only where the filesystem stores the microsecond set (else two writes could look alike).
    if (this.#remembers && mtimeUs(stats) === mtime.us && bytes.length <= WRITTEN_MAX_BYTES) {
      remember(path, { ino: stats.ino, size: stats.size, mtimeUs: mtime.us, expires, data });
    } else {
      forget(path);
    }
  }

  /** Runs `task` holding the in-process and the cross-process lock of the session file `path`. */
  #locked<T>(path: string, task: (held: HeldLock) => Promise<T>): Promise<T> {
    return fileLocks.run(path, async () => {
      const held = await this.#locks.acquire(path);
      try {
        return await task(held);
      } finally {
        await this.#locks.release(held);
      }
    });
  }

  /**
   * Writes the file atomically (temp file, mode 0600, then rename), under its lock. A directory removed
   * while the app runs (a cleaned-up /tmp, say) is created again, so saves do not fail until a restart.
   */
  async write(id: string, data: string, ttlSeconds: number): Promise<void> {
    const path = this.#path(id);
    this.#maybeSweepTemps();
    await this.#locked(path, (held) => this.#commit(held, path, data, ttlSeconds));
  }

  /**
   * Writes the file only while it exists; returns whether it did. It holds the file's lock (in this process
   * and across processes), so no delete can fall between its check and its rename.
   */
  async update(id: string, data: string, ttlSeconds: number): Promise<boolean> {
    const path = this.#path(id);
    this.#maybeSweepTemps();
    return this.#locked(path, async (held) => {
      if ((await this.#io.stat(path)) === undefined) return false;
      await this.#commit(held, path, data, ttlSeconds);
      return true;
    });
  }

  /**
   * Replaces the data of `id` with what `next` makes of it, atomically across every process sharing the
   * directory: the file's lock is held from the read to the rename, so no other write or delete lands in
   * between. `next` gets the data (`undefined` when the file is missing, expired or damaged) and is called
   * once; it returns the data to write with its time to live, or `undefined` to write nothing. Resolves
   * whether it wrote.
   */
  async modify(
    id: string,
    next: (current: string | undefined) => { readonly data: string; readonly ttlSeconds: number } | undefined,
  ): Promise<boolean> {
    const path = this.#path(id);
    this.#maybeSweepTemps();
    return this.#locked(path, async (held) => {
      const current = await this.#current(path, id, true);
      const result = next(current?.data);
      if (result === undefined) return false;
      await this.#locks.beat(held);
      await this.#commit(held, path, result.data, result.ttlSeconds);
      return true;
    });
  }

  /**
   * Moves the expiry of `id` to `ttlSeconds` from now without rewriting the file: its modification time
   * becomes the new expiry (whole seconds on the backend's clock, plus a random microsecond), its bytes
   * (expiry line and data) stay as they are. Resolves `false`, doing nothing, when the file is missing,
   * expired or damaged. An expiry earlier than the file's expiry line cannot be set that way: then the file
   * is rewritten, same data, under its lock. Takes no cross-process lock otherwise: it changes one inode's
   * times, which a concurrent write replaces whole (as if the touch came first) and a delete removes.
   */
  async touch(id: string, ttlSeconds: number): Promise<boolean> {
    const path = this.#path(id);
    return fileLocks.run(path, async () => {
      const current = await this.#current(path, id, true);
      if (current === undefined) return false;
      const expires = Math.floor(this.#now() + ttlSeconds);
      if (expires < current.expires) return this.#rewrite(path, id, ttlSeconds);
      const mtime = stamp(expires);
      try {
        await this.#io.utimes(path, mtime.seconds, mtime.seconds);
      } catch (err) {
        if (!isMissing(err)) throw err;
        forget(path);
        return false;
      }
      const last = written.get(path);
      if (last !== undefined && last.ino === current.stats.ino && last.mtimeUs === mtimeUs(current.stats)) {
        remember(path, { ...last, mtimeUs: mtime.us });
      }
      return true;
    });
  }

  /** Rewrites `path` with its own data and a new expiry, under its cross-process lock (the caller holds the in-process one). */
  async #rewrite(path: string, id: string, ttlSeconds: number): Promise<boolean> {
    const held = await this.#locks.acquire(path);
    try {
      const current = await this.#current(path, id, true);
      if (current === undefined) return false;
      await this.#commit(held, path, current.data, ttlSeconds);
      return true;
    } finally {
      await this.#locks.release(held);
    }
  }

  /**
   * Writes `data` under `newId` and deletes `oldId`, holding both files' locks (taken in path order, so two
   * replaces cannot deadlock), so no other write or delete of either lands in between. The new file is
   * written first: a failure leaves the old session as it was.
   */
  async replace(oldId: string, newId: string, data: string, ttlSeconds: number): Promise<void> {
    const oldPath = this.#path(oldId);
    const newPath = this.#path(newId);
    if (oldPath === newPath) return this.write(newId, data, ttlSeconds);
    this.#maybeSweepTemps();
    const [first, second] = oldPath < newPath ? [oldPath, newPath] : [newPath, oldPath];
    await fileLocks.run(first, () =>
      fileLocks.run(second, async () => {
        const heldFirst = await this.#locks.acquire(first);
        try {
          const heldSecond = await this.#locks.acquire(second);
          try {
            await this.#commit(first === newPath ? heldFirst : heldSecond, newPath, data, ttlSeconds);
            await this.#io.remove(oldPath);
            forget(oldPath);
          } finally {
            await this.#locks.release(heldSecond);
          }
        } finally {
          await this.#locks.release(heldFirst);
        }
      }),
    );
  }

  /** Deletes the file under its lock, after any change to `id` already under way (in any process); a missing one is fine. */
  async delete(id: string): Promise<void> {
    const path = this.#path(id);
    await this.#locked(path, async () => {
      await this.#io.remove(path);
      forget(path);
    });
  }

  /**
   * Deletes every session file (each under its lock, after any change already under way) and the temp
   * files no lock refers to; breaks stale locks and leaves live ones to their holders.
   */
  async clear(): Promise<void> {
    for (const entry of await this.#entries()) {
      const path = nodePath.join(this.#root, entry);
      if (isLockEntry(entry)) {
        await this.#removeIfStaleLock(entry);
      } else if (entry.endsWith(TEMP_SUFFIX)) {
        await fileLocks.run(this.#fileOf(entry), async () => {
          // A temp file linked to a lock is a live holder's (or a dead one's, gone with its lock).
          const info = await this.#io.lstat(path);
          if (info !== undefined && info.nlink <= 1) await this.#io.unlink(path);
        });
      } else {
        await this.#locked(path, async () => {
          await this.#io.remove(path);
          forget(path);
        });
      }
    }
  }

  /**
   * Deletes the session files whose expiry has passed (each under its lock, checked again once it is
   * held), temp files left by a crash (older than an hour) and stale locks; leaves every other file alone.
   * Returns how many session files were deleted.
   */
  async cleanup(): Promise<number> {
    const now = this.#now();
    let removed = 0;
    for (const entry of await this.#entries()) {
      if (entry.endsWith(TEMP_SUFFIX)) {
        await this.#removeIfStaleTemp(entry, now);
        continue;
      }
      if (isLockEntry(entry)) {
        await this.#removeIfStaleLock(entry);
        continue;
      }
      const path = nodePath.join(this.#root, entry);
      removed += await fileLocks.run(path, async () => {
        if (!(await this.#expiredOnDisk(path, now))) return 0;
        const held = await this.#locks.acquire(path);
        try {
          if (!(await this.#expiredOnDisk(path, now))) return 0; // saved meanwhile, by another process
          await this.#io.remove(path);
          forget(path);
          return 1;
        } finally {
          await this.#locks.release(held);
        }
      });
    }
    return removed;
  }

  /** Tells whether `path` is a session file whose expiry (line or touched mtime) is `now` or earlier. */
  async #expiredOnDisk(path: string, now: number): Promise<boolean> {
    const info = await this.#io.stat(path);
    if (info === undefined || Math.floor(info.mtimeMs / 1000) > now) return false; // touched into the future
    const head = await this.#io.read(path, HEAD_BYTES);
    if (head === undefined) return false;
    const end = head.text.indexOf("\n");
    const expiry = end < 0 ? "" : head.text.slice(0, end);
    return EXPIRY.test(expiry) && expiryOf(Number(expiry), head.stats) <= now;
  }

  async #entries(): Promise<string[]> {
    try {
      return (await nodeFsPromises.readdir(this.#root)).filter((entry) => entry.startsWith(PREFIX));
    } catch (err) {
      if (isMissing(err)) return [];
      throw err;
    }
  }

  /** The session file a directory entry belongs to: itself, or for `session_<id>.<anything>`, `session_<id>`. */
  #fileOf(entry: string): string {
    const dot = entry.indexOf(".");
    return nodePath.join(this.#root, dot < 0 ? entry : entry.slice(0, dot));
  }

  #path(id: string): string {
    if (!isValidSessionId(id)) {
      throw new SessionError("invalid_session_id", "a malformed session id was refused before touching the filesystem.");
    }
    const path = nodePath.join(this.#root, PREFIX + id);
    if (!path.startsWith(this.#root + nodePath.sep)) {
      throw new SessionError("invalid_session_id", "a session id that leaves the session directory was refused.");
    }
    return path;
  }
}

/** Tells whether a directory entry is a lock file (`session_<id>.lock` or `.break`). */
function isLockEntry(entry: string): boolean {
  return entry.endsWith(LOCK_SUFFIX) || entry.endsWith(BREAK_SUFFIX);
}

/** The session id in a directory entry `session_<id>[.<anything>]`. */
function idOf(entry: string): string {
  const dot = entry.indexOf(".");
  return entry.slice(PREFIX.length, dot < 0 ? undefined : dot);
}
