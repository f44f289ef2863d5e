import { MemoryBackend, MemoryStore } from "../../src/stores/memory-store.ts";
import { describeStoreContract } from "./contract.ts";

describeStoreContract("MemoryStore", async () => {
  let backend: MemoryBackend | undefined;
  const stores: MemoryStore[] = [];
  return {
    serverSide: true,
    make: ({ keys, now, onError, options }) => {
      backend ??= new MemoryBackend(now);
      const store = new MemoryStore({ keys, now, onError, options, backend });
      stores.push(store);
      return store;
    },
    cleanup: async () => {
      for (const store of stores) await store.close();
    },
  };
});
