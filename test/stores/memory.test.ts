import { MemoryBackend, MemoryStore } from "../../src/stores/memory-store.ts";
import { describeStoreContract } from "./contract.ts";

/** A memory backend that also remembers when each entry expires, so the contract can check TTLs. */
class ExpiryRecordingBackend extends MemoryBackend {
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
}

describeStoreContract("MemoryStore", async () => {
  let backend: ExpiryRecordingBackend | undefined;
  const stores: MemoryStore[] = [];
  return {
    serverSide: true,
    make: ({ keys, now, onError, cookie }) => {
      backend ??= new ExpiryRecordingBackend(now);
      const store = new MemoryStore({ keys, now, onError, cookie, backend });
      stores.push(store);
      return store;
    },
    stored: async (now) => [...(backend?.expiries.values() ?? [])].map((at) => at - now).filter((ttl) => ttl > 0),
    cleanup: async () => {
      for (const store of stores) await store.close();
    },
  };
});

