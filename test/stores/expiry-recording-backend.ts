import { MemoryBackend } from "../../src/stores/memory-store.ts";

/** A memory backend that also remembers when each entry expires, so tests can list entries and check TTLs. */
export class ExpiryRecordingBackend extends MemoryBackend {
  readonly expiries = new Map<string, number>();
  readonly #now: () => number;

  constructor(now: () => number) {
    super(now);
    this.#now = now;
  }

  override async write(id: string, data: string, ttlSeconds: number): Promise<void> {
    await super.write(id, data, ttlSeconds);
    this.expiries.set(id, this.#now() + ttlSeconds);
  }

  override async update(id: string, data: string, ttlSeconds: number): Promise<boolean> {
    const kept = await super.update(id, data, ttlSeconds);
    if (kept) this.expiries.set(id, this.#now() + ttlSeconds);
    return kept;
  }

  override async modify(id: string, next: (current: string | undefined) => { readonly data: string; readonly ttlSeconds: number } | undefined): Promise<boolean> {
    let ttl = 0;
    const kept = await super.modify(id, (current) => {
      const written = next(current);
      ttl = written?.ttlSeconds ?? 0;
      return written;
    });
    if (kept) this.expiries.set(id, this.#now() + ttl);
    return kept;
  }

  override async touch(id: string, ttlSeconds: number): Promise<boolean> {
    const kept = await super.touch(id, ttlSeconds);
    if (kept) this.expiries.set(id, this.#now() + ttlSeconds);
    return kept;
  }

  override async delete(id: string): Promise<void> {
    await super.delete(id);
    this.expiries.delete(id);
  }

  override async clear(): Promise<void> {
    await super.clear();
    this.expiries.clear();
  }
}
