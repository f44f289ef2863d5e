import { MemoryStore } from "../../src/stores/memory-store.ts";
import { describeStoreContract } from "./contract.ts";
import { ExpiryRecordingBackend } from "./expiry-recording-backend.ts";

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

