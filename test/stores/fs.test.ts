import { mkdtemp, readFile, readdir, rm, stat } from "node:fs/promises";
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
    // Every session file (temp and lock files included, so a stray write shows), by its expiry: the
    // `<expiresAt>` line it starts with, or its mtime when a touch moved the expiry there (later than the line).
    stored: async (now) => {
      const files = await readdir(sessionsDir).catch(() => []);
      const expiries = await Promise.all(
        files.map(async (file) => {
          const path = join(sessionsDir, file);
          const [text, info] = await Promise.all([readFile(path, "latin1"), stat(path)]);
          return Math.max(Number(text.slice(0, text.indexOf("\n"))), Math.floor(info.mtimeMs / 1000));
        }),
      );
      return expiries.map((expiry) => expiry - now);
    },
    cleanup: async () => {
      for (const store of stores) await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
