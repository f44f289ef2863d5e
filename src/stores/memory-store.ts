import { ServerStore } from "./server-store.ts";
import type { ServerStoreOptions, SessionBackend } from "./server-store.ts";
import { systemNow } from "../internal/time.ts";

/** A {@link SessionBackend} in a `Map`, expiring entries on read. Share one between stores to share data. */
export class MemoryBackend implements SessionBackend {
  readonly #entries = new Map<string, { data: string; expiresAt: number }>();
  readonly #now: () => number;

  /** Creates an empty backend; `now` is the clock in Unix seconds. @default () => Date.now() / 1000 */
  constructor(now: () => number = systemNow) {
    this.#now = now;
  }

  /** Returns the data for `id`, or `undefined` when missing or expired (and then forgets it). */
  async read(id: string): Promise<string | undefined> {
    return this.#live(id)?.data;
  }

  /** Like {@link MemoryBackend.read}, with when the data expires (Unix seconds). */
  async readWithExpiry(id: string): Promise<{ readonly data: string; readonly expiresAt: number } | undefined> {
    const entry = this.#live(id);
    return entry === undefined ? undefined : { data: entry.data, expiresAt: entry.expiresAt };
  }

  /** The unexpired entry of `id`; an expired one is forgotten. */
  #live(id: string): { data: string; expiresAt: number } | undefined {
    const entry = this.#entries.get(id);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.#now()) {
      this.#entries.delete(id);
      return undefined;
    }
    return entry;
  }

  /** Stores `data` for `id`, to expire in `ttlSeconds`. */
  async write(id: string, data: string, ttlSeconds: number): Promise<void> {
    this.#entries.set(id, { data, expiresAt: this.#now() + ttlSeconds });
  }

  /** Stores `data` for `id` only while it has unexpired data; returns whether it did. */
  async update(id: string, data: string, ttlSeconds: number): Promise<boolean> {
    const entry = this.#entries.get(id); // checked and replaced in one step: nothing runs in between
    if (entry === undefined || entry.expiresAt <= this.#now()) return false;
    this.#entries.set(id, { data, expiresAt: this.#now() + ttlSeconds });
    return true;
  }

  /** Replaces `id`'s unexpired data with what `next` makes of it, in one step (nothing runs in between). */
  async modify(id: string, next: (current: string | undefined) => { readonly data: string; readonly ttlSeconds: number } | undefined): Promise<boolean> {
    const entry = this.#entries.get(id);
    const current = entry === undefined || entry.expiresAt <= this.#now() ? undefined : entry.data;
    const written = next(current);
    if (written === undefined) return false;
    this.#entries.set(id, { data: written.data, expiresAt: this.#now() + written.ttlSeconds });
    return true;
  }

  /** Moves the expiry of `id`'s unexpired data to `ttlSeconds` from now; returns whether there was data. */
  async touch(id: string, ttlSeconds: number): Promise<boolean> {
    const entry = this.#entries.get(id);
    if (entry === undefined || entry.expiresAt <= this.#now()) return false;
    entry.expiresAt = this.#now() + ttlSeconds;
    return true;
  }

  /** Deletes `id`. */
  async delete(id: string): Promise<void> {
    this.#entries.delete(id);
  }

  /** Deletes everything. */
  async clear(): Promise<void> {
    this.#entries.clear();
  }

  /** Deletes expired entries; returns how many. */
  cleanup(): number {
    const now = this.#now();
    let removed = 0;
    for (const [id, entry] of this.#entries) {
      if (entry.expiresAt <= now) {
        this.#entries.delete(id);
        removed++;
      }
    }
    return removed;
  }

  /** How many entries are held (expired ones included until read or cleaned up). */
  get size(): number {
    return this.#entries.size;
  }
}

/** Options of {@link MemoryStore}. */
export type MemoryStoreOptions = ServerStoreOptions & {
  /** The backend to use, to share data between stores (e.g. across key rotation in tests). @default a new one */
  backend?: MemoryBackend | undefined;
};

/**
 * Keeps sessions in process memory, with the same expiry rules as the other server-side stores: for tests
 * and development (data is lost on restart and not shared between processes).
 * @example const store = new MemoryStore({ hashKey: generateRandomKey(32) });
 */
export class MemoryStore extends ServerStore {
  /** The in-memory backend (share it between stores to share their data). */
  declare readonly backend: MemoryBackend;

  /** Creates a memory store. */
  constructor(options: MemoryStoreOptions) {
    super(options.backend ?? new MemoryBackend(options.now), options);
  }

  /** Deletes expired sessions; returns how many. */
  async cleanup(): Promise<number> {
    return this.backend.cleanup();
  }
}
