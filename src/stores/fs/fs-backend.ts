import { readFile, readdir, rename, rm, stat, unlink, writeFile } from "node:fs/promises";
import { join, resolve, sep } from "node:path";
import { randomBytesFromPool } from "../../codec/random-pool.ts";
import { SessionError } from "../../errors.ts";
import { ensurePrivateDir, ensurePrivateDirSync } from "./private-dir.ts";
import type { SessionBackend } from "../server-store.ts";
import { isValidSessionId } from "../session-id.ts";
import { systemNow } from "../../internal/time.ts";
import { KeyedLock } from "../../internal/keyed-lock.ts";
import { withoutIds } from "../backend-error.ts";

const PREFIX = "session_";
const TEMP_SUFFIX = ".tmp";
const EXPIRY = /^\d{1,15}$/;
/** Temp files older than this (seconds) are left over from a crash; `cleanup()` removes them. */
const STALE_TEMP_SECONDS = 3600;
/**
 * The least time (seconds, on the backend's clock) between two sweeps of stale temp files that writes
 * start by themselves: a sweep reads the directory, so it runs at most this often, off the save path.
 */
const TEMP_SWEEP_SECONDS = 600;
/**
 * Serializes the changes to each session file, keyed by its absolute path: shared by every backend of the
 * process, so two stores on one directory queue too. Holds only files with a change pending, so it stays small.
 */
const fileLocks = new KeyedLock();

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === "ENOENT";
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    if (isMissing(err)) return false;
    throw err;
  }
}

/**
 * A {@link SessionBackend} with one file per session in `dir` (created with mode 0700): `session_<id>`,
 * mode 0600, holding `<expiresAt>\n<codec data>`. Writes go to a temp file renamed over the target, so a
 * reader never sees half a file. Ids are checked against the strict pattern before any path is built.
 *
 * Within one process, the changes to one session file (`write`, `update`, `delete`, and the per-file steps
 * of `clear` and `cleanup`, from every backend on the same directory path) run one at a time, in call
 * order: an `update` that finds the file gone writes nothing and returns `false`, and a `delete` called
 * while an `update` is under way runs after it, so a logout is never undone by a save still in flight.
 * Nothing is locked across processes: processes sharing a directory can still race, and a save in one can
 * bring back a session another just deleted. Use one directory per process, or Redis (`RedisStore`, whose
 * update is one atomic command) when several processes serve the same sessions.
 */
export class FilesystemBackend implements SessionBackend {
  /** The absolute directory the files live in. */
  readonly dir: string;
  readonly #now: () => number;
  readonly #onSweepError: ((err: unknown) => void) | undefined;
  /** When the last sweep of stale temp files started (backend clock, seconds). */
  #lastTempSweep = Number.NEGATIVE_INFINITY;
  #sweepingTemps = false;

  /**
   * Creates the directory (mode 0700) if needed; `now` is the clock in Unix seconds. Throws
   * `invalid_option` when the path is a symlink, not a directory, or owned by another user (its file names
   * are session ids); takes group and other permissions away from a directory of this user's.
   *
   * Temp files a crash left behind (older than an hour) are removed without any setup: by a sweep started
   * when the backend is created, and by one a write starts when the last began 10 minutes ago or more. Both
   * run in the background, on an `unref`'d timer, and report failures to `options.onSweepError` (never
   * thrown; the ids in file paths cut short).
   */
  constructor(dir: string, now: () => number = systemNow, options: { onSweepError?: ((err: unknown) => void) | undefined } = {}) {
    this.dir = resolve(dir);
    this.#now = now;
    this.#onSweepError = options.onSweepError;
    try {
      ensurePrivateDirSync(this.dir);
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
   * Deletes the temp files left by a crash (`session_<id>.<random>.tmp` older than an hour); returns how
   * many. Writes and creating the backend start it by themselves; `cleanup()` does it too.
   */
  async removeStaleTemps(): Promise<number> {
    const now = this.#now();
    let removed = 0;
    for (const entry of await this.#entries()) {
      if (entry.endsWith(TEMP_SUFFIX)) removed += await this.#removeIfStaleTemp(entry, now);
    }
    return removed;
  }

  /** Deletes the temp file `entry` if it is older than {@link STALE_TEMP_SECONDS}; returns 1 if it did. */
  async #removeIfStaleTemp(entry: string, now: number): Promise<number> {
    const path = join(this.dir, entry);
    return fileLocks.run(this.#fileOf(entry), async () => {
      try {
        const info = await stat(path);
        if (info.mtimeMs / 1000 >= now - STALE_TEMP_SECONDS) return 0;
        await unlink(path);
        return 1;
      } catch (err) {
        if (isMissing(err)) return 0; // renamed or deleted meanwhile: fine
        const dot = entry.indexOf(".");
        throw withoutIds(err, [entry.slice(PREFIX.length, dot < 0 ? undefined : dot)]);
      }
    });
  }

  /** Returns the file's data, or `undefined` when missing or expired; throws `corrupt_data` for a damaged file. */
  async read(id: string): Promise<string | undefined> {
    let text: string;
    try {
      text = await readFile(this.#path(id), "latin1");
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
    const end = text.indexOf("\n");
    const expiry = end < 0 ? "" : text.slice(0, end);
    if (!EXPIRY.test(expiry)) {
      throw new SessionError("corrupt_data", `the session file for id ${id.slice(0, 6)}… has no valid expiry line; a fresh session was started.`);
    }
    if (Number(expiry) <= this.#now()) return undefined;
    return text.slice(end + 1);
  }

  /**
   * Writes the file atomically (temp file, mode 0600, then rename). A directory removed while the app runs
   * (a cleaned-up /tmp, say) is created again, so saves do not fail until a restart.
   */
  async write(id: string, data: string, ttlSeconds: number): Promise<void> {
    const target = this.#path(id);
    this.#maybeSweepTemps();
    await fileLocks.run(target, () => this.#replaceWith(target, data, ttlSeconds, false));
  }

  /**
   * Writes the file only while it exists; returns whether it did. It runs after, and before, the other
   * changes to `id` in this process, so no delete here can fall between its check and its rename; a delete
   * from another process still can (nothing is locked across processes).
   */
  async update(id: string, data: string, ttlSeconds: number): Promise<boolean> {
    const target = this.#path(id);
    this.#maybeSweepTemps();
    return fileLocks.run(target, () => this.#replaceWith(target, data, ttlSeconds, true));
  }

  async #replaceWith(target: string, data: string, ttlSeconds: number, onlyIfPresent: boolean): Promise<boolean> {
    const temp = `${target}.${randomBytesFromPool(8).toString("hex")}${TEMP_SUFFIX}`;
    const content = `${Math.floor(this.#now() + ttlSeconds)}\n${data}`;
    const options = { encoding: "latin1", mode: 0o600, flag: "wx" } as const;
    try {
      try {
        await writeFile(temp, content, options);
      } catch (err) {
        if (!isMissing(err)) throw err;
        await ensurePrivateDir(this.dir);
        await writeFile(temp, content, options);
      }
      if (onlyIfPresent && !(await exists(target))) {
        await rm(temp, { force: true });
        return false;
      }
      await rename(temp, target);
      return true;
    } catch (err) {
      await rm(temp, { force: true }).catch(() => undefined);
      throw err;
    }
  }

  /** Deletes the file, after any change to `id` already under way; a missing one is fine. */
  async delete(id: string): Promise<void> {
    const target = this.#path(id);
    await fileLocks.run(target, () => rm(target, { force: true }));
  }

  /** Deletes every session file (and temp file) in the directory, each after any change already under way. */
  async clear(): Promise<void> {
    for (const entry of await this.#entries()) {
      await fileLocks.run(this.#fileOf(entry), () => rm(join(this.dir, entry), { force: true }));
    }
  }

  /**
   * Deletes the session files whose expiry has passed, and temp files left by a crash (older than an
   * hour); leaves every other file alone. Returns how many session files were deleted.
   */
  async cleanup(): Promise<number> {
    const now = this.#now();
    let removed = 0;
    for (const entry of await this.#entries()) {
      if (entry.endsWith(TEMP_SUFFIX)) {
        await this.#removeIfStaleTemp(entry, now);
        continue;
      }
      const path = join(this.dir, entry);
      // Under the file's lock, so a save cannot replace the file between the expiry check and the unlink.
      removed += await fileLocks.run(this.#fileOf(entry), async () => {
        try {
          const head = (await readFile(path, "latin1")).slice(0, 17);
          const end = head.indexOf("\n");
          const expiry = end < 0 ? "" : head.slice(0, end);
          if (EXPIRY.test(expiry) && Number(expiry) <= now) {
            await unlink(path);
            return 1;
          }
        } catch (err) {
          if (!isMissing(err)) throw err; // deleted or renamed meanwhile: fine
        }
        return 0;
      });
    }
    return removed;
  }

  async #entries(): Promise<string[]> {
    try {
      return (await readdir(this.dir)).filter((entry) => entry.startsWith(PREFIX));
    } catch (err) {
      if (isMissing(err)) return [];
      throw err;
    }
  }

  /** The session file a directory entry belongs to: itself, or for a temp file `session_<id>.<random>.tmp`, `session_<id>`. */
  #fileOf(entry: string): string {
    const dot = entry.indexOf(".");
    return join(this.dir, dot < 0 ? entry : entry.slice(0, dot));
  }

  #path(id: string): string {
    if (!isValidSessionId(id)) {
      throw new SessionError("invalid_session_id", "a malformed session id was refused before touching the filesystem.");
    }
    const path = join(this.dir, PREFIX + id);
    if (!path.startsWith(this.dir + sep)) {
      throw new SessionError("invalid_session_id", "a session id that leaves the session directory was refused.");
    }
    return path;
  }
}
