// The file operations the filesystem backend is written against, in two flavours with one shape: `sync`
// (node:fs's *Sync calls, no thread-pool hop) and `async` (node:fs/promises, one hop per call). The backend's
// steps `await` every call either way, so one copy of its logic runs on both; awaiting a plain value costs a
// microtask, not a hop.
import type { Stats } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import { nodeFs as fs, nodeFsPromises as fsp } from "./node-fs.ts";

/** A value, or a promise of it: what an {@link Io} call returns in its sync or its async flavour. */
export type MaybePromise<T> = T | Promise<T>;

/** A file opened by {@link Io.create}, written through its descriptor. */
export interface IoFile {
  /** Writes all of `bytes` at `position`. */
  write(bytes: Buffer, position: number): MaybePromise<void>;
  /** Cuts the file to `length` bytes. */
  truncate(length: number): MaybePromise<void>;
  /** Sets the access and modification times (Unix seconds). */
  utimes(atime: number, mtime: number): MaybePromise<void>;
  /** Sets the mode; also moves the change time (ctime), which is what lock ages are read from. */
  chmod(mode: number): MaybePromise<void>;
  /** Returns the open file's metadata. */
  stat(): MaybePromise<Stats>;
  /** Closes the descriptor (once; later calls do nothing). */
  close(): MaybePromise<void>;
}

/** A file read whole (or its first bytes) with the metadata of the very file read. */
export interface ReadResult {
  /** The bytes read, as latin1. */
  readonly text: string;
  /** The metadata of the open file (fstat), so it is the very file the text came from. */
  readonly stats: Stats;
}

/** The file operations of {@link FilesystemBackend}; missing files are `undefined` where noted, not errors. */
export interface Io {
  /** `"sync"` or `"async"`. */
  readonly kind: "sync" | "async";
  /** Creates `path` exclusively (`O_CREAT|O_EXCL|O_WRONLY`, mode 0600); throws `EEXIST` when it exists. */
  create(path: string): MaybePromise<IoFile>;
  /** Makes `path` a hard link to `existing`; throws `EEXIST` when `path` exists (atomic, also over NFS). */
  link(existing: string, path: string): MaybePromise<void>;
  /** Removes the name `path`; a missing one is fine. */
  unlink(path: string): MaybePromise<void>;
  /** Removes the session file `path` (what a delete does); a missing one is fine. */
  remove(path: string): MaybePromise<void>;
  /** Renames `from` over `to`, atomically. */
  rename(from: string, to: string): MaybePromise<void>;
  /** The metadata of `path` (symlinks followed), `undefined` when it is missing. */
  stat(path: string): MaybePromise<Stats | undefined>;
  /** The metadata of the name `path` itself, `undefined` when it is missing. */
  lstat(path: string): MaybePromise<Stats | undefined>;
  /** Reads `path` (at most `limit` bytes, latin1) with its metadata, `undefined` when it is missing. */
  read(path: string, limit?: number): MaybePromise<ReadResult | undefined>;
  /** Sets the access and modification times of `path` (Unix seconds). */
  utimes(path: string, atime: number, mtime: number): MaybePromise<void>;
}

/** Tells whether `err` is Node's "no such file or directory". */
export function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === "ENOENT";
}

/** Tells whether `err` is Node's "file exists". */
export function isExisting(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === "EEXIST";
}

/** `O_CREAT|O_EXCL|O_WRONLY`, read when first needed (node:fs may be absent where this module loads). */
const createFlags = (): number => fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_WRONLY;
/** Bytes read at once when a file's size is not known up front. */
const CHUNK = 4096;

class SyncFile implements IoFile {
  #fd: number | undefined;
  constructor(fd: number) {
    this.#fd = fd;
  }
  #open(): number {
    if (this.#fd === undefined) throw new Error("the file is closed");
    return this.#fd;
  }
  write(bytes: Buffer, position: number): void {
    const fd = this.#open();
    for (let done = 0; done < bytes.length;) done += fs.writeSync(fd, bytes, done, bytes.length - done, position + done);
  }
  truncate(length: number): void {
    fs.ftruncateSync(this.#open(), length);
  }
  utimes(atime: number, mtime: number): void {
    fs.futimesSync(this.#open(), atime, mtime);
  }
  chmod(mode: number): void {
    fs.fchmodSync(this.#open(), mode);
  }
  stat(): Stats {
    return fs.fstatSync(this.#open());
  }
  close(): void {
    const fd = this.#fd;
    this.#fd = undefined;
    if (fd !== undefined) fs.closeSync(fd);
  }
}

class AsyncFile implements IoFile {
  #handle: FileHandle | undefined;
  constructor(handle: FileHandle) {
    this.#handle = handle;
  }
  #open(): FileHandle {
    if (this.#handle === undefined) throw new Error("the file is closed");
    return this.#handle;
  }
  async write(bytes: Buffer, position: number): Promise<void> {
    const handle = this.#open();
    for (let done = 0; done < bytes.length;) done += (await handle.write(bytes, done, bytes.length - done, position + done)).bytesWritten;
  }
  async truncate(length: number): Promise<void> {
    await this.#open().truncate(length);
  }
  async utimes(atime: number, mtime: number): Promise<void> {
    await this.#open().utimes(atime, mtime);
  }
  async chmod(mode: number): Promise<void> {
    await this.#open().chmod(mode);
  }
  stat(): Promise<Stats> {
    return this.#open().stat();
  }
  async close(): Promise<void> {
    const handle = this.#handle;
    this.#handle = undefined;
    if (handle !== undefined) await handle.close();
  }
}

function readSyncFrom(fd: number, size: number, limit: number): string {
  const want = Math.min(limit, size > 0 ? size : CHUNK);
  let buffer = Buffer.allocUnsafe(want);
  let length = 0;
  for (;;) {
    if (length === buffer.length) {
      if (length >= limit) break;
      const grown = Buffer.allocUnsafe(Math.min(limit, buffer.length * 2));
      buffer.copy(grown, 0, 0, length);
      buffer = grown;
    }
    const got = fs.readSync(fd, buffer, length, buffer.length - length, length);
    if (got === 0) break;
    length += got;
    // A file of a known size is whole once that many bytes are in: session files never grow in place.
    if (size > 0 && length >= size) break;
  }
  return buffer.toString("latin1", 0, length);
}

async function readAsyncFrom(handle: FileHandle, size: number, limit: number): Promise<string> {
  const want = Math.min(limit, size > 0 ? size : CHUNK);
  let buffer = Buffer.allocUnsafe(want);
  let length = 0;
  for (;;) {
    if (length === buffer.length) {
      if (length >= limit) break;
      const grown = Buffer.allocUnsafe(Math.min(limit, buffer.length * 2));
      buffer.copy(grown, 0, 0, length);
      buffer = grown;
    }
    const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
    if (bytesRead === 0) break;
    length += bytesRead;
    if (size > 0 && length >= size) break;
  }
  return buffer.toString("latin1", 0, length);
}

/** {@link Io} on node:fs's synchronous calls: no thread-pool hop, the event loop waits for each call. */
export const syncIo: Io = {
  kind: "sync",
  create(path) {
    return new SyncFile(fs.openSync(path, createFlags(), 0o600));
  },
  link(existing, path) {
    fs.linkSync(existing, path);
  },
  unlink(path) {
    try {
      fs.unlinkSync(path);
    } catch (err) {
      if (!isMissing(err)) throw err;
    }
  },
  remove(path) {
    syncIo.unlink(path);
  },
  rename(from, to) {
    fs.renameSync(from, to);
  },
  stat(path) {
    return fs.statSync(path, { throwIfNoEntry: false });
  },
  lstat(path) {
    return fs.lstatSync(path, { throwIfNoEntry: false });
  },
  read(path, limit = Number.POSITIVE_INFINITY) {
    let fd: number;
    try {
      fd = fs.openSync(path, "r");
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
    try {
      const stats = fs.fstatSync(fd);
      return { text: readSyncFrom(fd, stats.size, limit), stats };
    } finally {
      fs.closeSync(fd);
    }
  },
  utimes(path, atime, mtime) {
    fs.utimesSync(path, atime, mtime);
  },
};

async function orUndefined<T>(promise: Promise<T>): Promise<T | undefined> {
  try {
    return await promise;
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
}

/**
 * {@link Io} on node:fs/promises: every call is a hop to libuv's thread pool, so a slow disk never holds
 * the event loop. Calls go through the module's live bindings (tests can hold one at a racy point).
 */
export const asyncIo: Io = {
  kind: "async",
  async create(path) {
    return new AsyncFile(await fsp.open(path, createFlags(), 0o600));
  },
  link(existing, path) {
    return fsp.link(existing, path);
  },
  async unlink(path) {
    await orUndefined(fsp.unlink(path));
  },
  remove(path) {
    return fsp.rm(path, { force: true });
  },
  rename(from, to) {
    return fsp.rename(from, to);
  },
  stat(path) {
    return orUndefined(fsp.stat(path));
  },
  lstat(path) {
    return orUndefined(fsp.lstat(path));
  },
  async read(path, limit = Number.POSITIVE_INFINITY) {
    const handle = await orUndefined(fsp.open(path, "r"));
    if (handle === undefined) return undefined;
    try {
      const stats = await handle.stat();
      return { text: await readAsyncFrom(handle, stats.size, limit), stats };
    } finally {
      await handle.close();
    }
  },
  utimes(path, atime, mtime) {
    return fsp.utimes(path, atime, mtime);
  },
};
