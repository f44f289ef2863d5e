import { SessionError } from "../../errors.ts";
import { FilesystemBackend } from "./fs-backend.ts";
import { ServerStore } from "../server-store.ts";
import type { ServerStoreOptions } from "../server-store.ts";

/** Options of {@link FilesystemStore}. */
export type FilesystemStoreOptions = ServerStoreOptions & {
  /** The directory for session files, created with mode 0700. @default "./.sessions" */
  dir?: string | undefined;
  /**
   * Runs `cleanup()` every this many seconds on an `unref`'d timer; 0 = never. Stale temp files (left by a
   * crash) are removed without it: when the store is created, and at most every 10 minutes after a write.
   * @default 0
   */
  sweepInterval?: number | undefined;
  /**
   * How files are read and written: `"sync"` (node:fs's synchronous calls: no thread-pool hop, about half
   * the time of `"async"` per save and load on a local disk, but the event loop waits for each call, 0.15-0.2
   * ms per save on ext4) or `"async"` (node:fs/promises: a slow or network disk never holds the event loop).
   * @default "sync"
   */
  io?: "sync" | "async" | undefined;
  /** Seconds after which a session file's lock left by a crashed or hung process is broken. @default 10 */
  lockStale?: number | undefined;
  /** Seconds to wait for another process's lock on a session file before the operation fails. @default 15 */
  lockTimeout?: number | undefined;
};

/**
 * Keeps session data in files, one per session (gorilla/sessions' `FilesystemStore`, with the fixes its
 * users asked for): the cookie carries only a signed random id; files are written atomically with mode
 * 0600, encrypted at rest when a block key is set, and have no 4096-byte limit. Missing, expired or
 * corrupt files give a fresh session and a report, never a crash. Expired files are ignored on read and
 * deleted by `cleanup()` (or the `sweepInterval` timer). Every change to a session file holds its lock, in
 * this process and across the processes sharing the directory, so a destroyed session stays destroyed and
 * the backend's `modify` is an atomic read-modify-write (see {@link FilesystemBackend}).
 * @example
 * const store = new FilesystemStore({ dir: "./.sessions", hashKey, blockKey, sweepInterval: 3600 });
 */
export class FilesystemStore extends ServerStore {
  /** The files backend, one file per session in {@link FilesystemStore.dir}. */
  declare readonly backend: FilesystemBackend;
  #timer: NodeJS.Timeout | undefined;

  /** Creates the store and its directory; throws a usage error for bad keys or options. */
  constructor(options: FilesystemStoreOptions) {
    // The backend's background sweeps of stale temp files start after this constructor returns.
    let report: ((cause: unknown) => void) | undefined;
    const backend = new FilesystemBackend(options.dir ?? "./.sessions", options.now, {
      onSweepError: (cause) => report?.(cause),
      io: options.io,
      lockStale: options.lockStale,
      lockTimeout: options.lockTimeout,
    });
    super(backend, options);
    report = (cause) => this.#report(cause, "stale temp files");
    const every = options.sweepInterval ?? 0;
    if (!Number.isFinite(every) || every < 0) {
      throw new SessionError("invalid_option", `sweepInterval must be a number of seconds ≥ 0 (0 = off), got ${every}.`);
    }
    if (every > 0) {
      this.#timer = setInterval(() => void this.#sweep(), every * 1000);
      this.#timer.unref();
    }
  }

  /** The absolute directory holding the session files. */
  get dir(): string {
    return this.backend.dir;
  }

  /** Deletes expired session files (and stale temp files); returns how many session files were deleted. */
  async cleanup(): Promise<number> {
    return this.backend.cleanup();
  }

  /** Stops the sweep timer and detaches the store from `clearAll()`. */
  override async close(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await super.close();
  }

  async #sweep(): Promise<void> {
    try {
      await this.cleanup();
    } catch (cause) {
      this.#report(cause, "expired session files");
    }
  }

  #report(cause: unknown, what: string): void {
    const err = new SessionError("store_unavailable", `sweeping ${what} in ${this.dir} failed; check the directory's permissions.`, { cause });
    try {
      this.onError?.(err, { name: "*", phase: "cleanup" });
    } catch {
      // never let a logging hook crash the timer
    }
  }
}
