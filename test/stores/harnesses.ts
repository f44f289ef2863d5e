// The store contract's harnesses for the stores several suites run it on (node:crypto and WebCrypto, Redis,
// Valkey and a Cluster): one place that says how each is built, what it holds, and how it is cleaned up.
import type { Cluster, Redis } from "ioredis";
import { MemoryStore } from "../../src/stores/memory-store.ts";
import { RedisStore } from "../../src/stores/redis/redis-store.ts";
import { deletePrefix, keysUnder, testPrefix } from "../redis/env.ts";
import type { StoreHarness } from "./contract.ts";
import { ExpiryRecordingBackend } from "./expiry-recording-backend.ts";

/** Which codec a harness's stores use: node:crypto where it exists (the default), or WebCrypto forced. */
export interface HarnessCrypto {
  readonly crypto?: "webcrypto";
}

/** MemoryStores over one backend per test that records each entry's expiry (what `stored` reports). */
export function memoryHarness(options: HarnessCrypto = {}): () => Promise<StoreHarness> {
  return async () => {
    let backend: ExpiryRecordingBackend | undefined;
    const stores: MemoryStore[] = [];
    return {
      serverSide: true,
      make: ({ keys, now, onError, cookie }) => {
        backend ??= new ExpiryRecordingBackend(now);
        const store = new MemoryStore({ keys, now, onError, cookie, backend, ...options });
        stores.push(store);
        return store;
      },
      stored: async (now) => [...(backend?.expiries.values() ?? [])].map((at) => at - now).filter((ttl) => ttl > 0),
      cleanup: async () => {
        for (const store of stores) await store.close();
      },
    };
  };
}

/** How a harness lists and deletes the keys under a prefix (a Cluster scans every master). */
export interface PrefixKeys<C extends Redis | Cluster> {
  keysUnder(client: C, prefix: string): Promise<string[]>;
  deletePrefix(client: C, prefix: string): Promise<void>;
}

const singleNode: PrefixKeys<Redis> = { keysUnder, deletePrefix };

/**
 * RedisStores on `client()` (read when a test starts: suites connect in `beforeAll`) under a fresh test
 * prefix `label`; `stored` reports Redis's own TTLs, in seconds. `prefixKeys` for a Cluster.
 */
export function redisHarness<C extends Redis | Cluster = Redis>(
  client: () => C,
  label: string,
  options: HarnessCrypto = {},
  prefixKeys: PrefixKeys<C> = singleNode as unknown as PrefixKeys<C>,
): () => Promise<StoreHarness> {
  return async () => {
    const prefix = testPrefix(label);
    const stores: RedisStore<C>[] = [];
    return {
      serverSide: true,
      make: ({ keys, now, onError, cookie }) => {
        const store = new RedisStore<C>({ client: client(), prefix, keys, now, onError, cookie, ...options });
        stores.push(store);
        return store;
      },
      // Redis keeps its own clock: the TTLs are Redis's, in seconds.
      stored: async () => Promise.all((await prefixKeys.keysUnder(client(), prefix)).map(async (key) => (await client().pttl(key)) / 1000)),
      cleanup: async () => {
        for (const store of stores) await store.close();
        await prefixKeys.deletePrefix(client(), prefix);
      },
    };
  };
}
