import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FilesystemStore } from "../../src/stores/fs-store.ts";
import { describeStoreContract } from "./contract.ts";

describeStoreContract("FilesystemStore", async () => {
  const dir = await mkdtemp(join(tmpdir(), "ts-fs-contract-"));
  const stores: FilesystemStore[] = [];
  return {
    serverSide: true,
    make: ({ keys, now, onError, options }) => {
      const store = new FilesystemStore({ dir: join(dir, "sessions"), keys, now, onError, options });
      stores.push(store);
      return store;
    },
    cleanup: async () => {
      for (const store of stores) await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
