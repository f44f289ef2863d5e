import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FilesystemStore } from "../../src/stores/fs/fs-store.ts";
import { describeStoreContract } from "./contract.ts";

describeStoreContract("FilesystemStore", async () => {
  const dir = await mkdtemp(join(tmpdir(), "ts-fs-contract-"));
  const sessionsDir = join(dir, "sessions");
  const stores: FilesystemStore[] = [];
  return {
    serverSide: true,
    make: ({ keys, now, onError, cookie }) => {
      const store = new FilesystemStore({ dir: sessionsDir, keys, now, onError, cookie });
      stores.push(store);
      return store;
    },
    // Every session file (temp files included, so a stray write shows), by the `<expiresAt>` line it starts with.
    stored: async (now) => {
      const files = await readdir(sessionsDir).catch(() => []);
      const texts = await Promise.all(files.map((file) => readFile(join(sessionsDir, file), "latin1")));
      return texts.map((text) => Number(text.slice(0, text.indexOf("\n"))) - now);
    },
    cleanup: async () => {
      for (const store of stores) await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
