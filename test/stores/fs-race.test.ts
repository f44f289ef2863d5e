// Logout races on the filesystem backend: an `update` (a save of a loaded session) must never bring back a
// file that a concurrent `delete` (a destroy) removed. The deterministic tests pause the backend's own fs calls
// at the racy point (`rename` after the existence check, `rm` of a delete) through spies on the module object
// the backend calls (it takes node:fs/promises through process.getBuiltinModule: src/stores/fs/node-fs.ts);
// the spies pass through to the real functions unless a test arms them. The backend runs with `io: "async"` here, on
// node:fs/promises, so there are awaited fs calls to hold (with the default synchronous I/O, a change runs
// its fs calls back to back, and the lock file is what keeps other processes out).
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FilesystemBackend } from "../../src/stores/fs/fs-backend.ts";
import { FilesystemStore } from "../../src/stores/fs/fs-store.ts";
import { loadSession } from "../support/sessions.ts";
import { CookieJar } from "./cookie-jar.ts";

/** The node:fs/promises the backend calls (the same object process.getBuiltinModule gives it). */
const fsPromises = process.getBuiltinModule("node:fs/promises");
const realRename = fsPromises.rename;
const realRm = fsPromises.rm;

const HASH_KEY = "h".repeat(32);
const ID = "a".repeat(43);

/** A promise with its resolve function, to hold a mocked fs call until the test lets it go. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Waits `turns` turns of the event loop (0 = none), so concurrent operations start at varying points. */
async function turns(count: number): Promise<void> {
  for (let n = 0; n < count; n++) await new Promise<void>((resolve) => setImmediate(resolve));
}

async function present(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

describe("FilesystemBackend under concurrent update and delete", () => {
  let root: string;
  let backend: FilesystemBackend;
  const file = () => join(backend.dir, `session_${ID}`);
  beforeEach(async () => {
    vi.spyOn(fsPromises, "rename");
    vi.spyOn(fsPromises, "rm");
    root = await mkdtemp(join(tmpdir(), "ts-fs-race-"));
    backend = new FilesystemBackend(join(root, "sessions"), undefined, { io: "async" });
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await rm(root, { recursive: true, force: true });
  });

  it.each([
    ["the same backend", false],
    ["another backend on the same directory", true],
  ])("a delete made (by %s) while an update is between its existence check and its rename wins", async (_label, other) => {
    await backend.write(ID, "before", 60);
    const deleter = other ? new FilesystemBackend(backend.dir) : backend;
    const renameReached = gate();
    const renameHeld = gate();
    const passThrough = realRename;
    vi.mocked(fsPromises.rename).mockImplementationOnce(async (from, to) => {
      renameReached.open();
      await renameHeld.promise;
      return passThrough(from, to);
    });

    const updating = backend.update(ID, "after", 60);
    await renameReached.promise; // the update has found the file and holds its temp file, about to rename
    const deleting = deleter.delete(ID);
    // Unfixed, the delete removes the file now (and the rename then brings it back); fixed, it waits its turn.
    const first = await Promise.race([deleting.then(() => "deleted" as const), sleep(50).then(() => "waiting" as const)]);
    renameHeld.open();
    const [updated] = await Promise.all([updating, deleting]);

    expect(updated).toBe(true); // it found the file, so it wrote it …
    expect(await present(file())).toBe(false); // … and the delete, made after its check, came last
    expect(await backend.read(ID)).toBeUndefined();
    expect(first).toBe("waiting");
    expect(await readdir(backend.dir)).toEqual([]);
  });

  it("an update that starts while a delete is running writes nothing and returns false", async () => {
    await backend.write(ID, "before", 60);
    const rmReached = gate();
    const rmHeld = gate();
    const passThrough = realRm;
    vi.mocked(fsPromises.rm).mockImplementationOnce(async (path, options) => {
      rmReached.open();
      await rmHeld.promise;
      return passThrough(path, options);
    });

    const deleting = backend.delete(ID);
    await rmReached.promise; // the delete is under way; the file is still there
    const updating = backend.update(ID, "after", 60);
    await sleep(20);
    rmHeld.open();
    const [, updated] = await Promise.all([deleting, updating]);

    expect(updated).toBe(false);
    expect(await readdir(backend.dir)).toEqual([]); // no file, no temp file
  });

  it("a write made while a delete is running comes after it (last call wins)", async () => {
    await backend.write(ID, "before", 60);
    const rmReached = gate();
    const rmHeld = gate();
    const passThrough = realRm;
    vi.mocked(fsPromises.rm).mockImplementationOnce(async (path, options) => {
      rmReached.open();
      await rmHeld.promise;
      return passThrough(path, options);
    });

    const deleting = backend.delete(ID);
    await rmReached.promise;
    const writing = backend.write(ID, "new", 60);
    await sleep(20);
    rmHeld.open();
    await Promise.all([deleting, writing]);
    expect(await backend.read(ID)).toBe("new");
  });

  it("does not let a failed operation block the next one on the same id", async () => {
    vi.mocked(fsPromises.rename).mockRejectedValueOnce(Object.assign(new Error("EIO"), { code: "EIO" }));
    await expect(backend.write(ID, "a", 60)).rejects.toMatchObject({ code: "EIO" });
    await expect(backend.write("../x", "b", 60)).rejects.toMatchObject({ code: "invalid_session_id" });
    await backend.write(ID, "c", 60);
    expect(await backend.read(ID)).toBe("c");
    expect(await readdir(backend.dir)).toEqual([`session_${ID}`]);
  });
});

describe("FilesystemStore: logout against a concurrent save, at random offsets", () => {
  let root: string;
  let store: FilesystemStore;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), "ts-fs-race-store-"));
    store = new FilesystemStore({ dir: join(root, "sessions"), hashKey: HASH_KEY });
  });
  afterEach(async () => {
    await store.close();
    await rm(root, { recursive: true, force: true });
  });

  it("never brings a destroyed session back in 200 rounds of save + destroy", async () => {
    let resurrected = 0;
    for (let round = 0; round < 200; round++) {
      const jar = new CookieJar();
      const ctx = jar.context();
      const first = await loadSession(store, ctx, "fs");
      first.set("round", round);
      await first.save(ctx);
      jar.absorb(ctx.headers);
      const saving = await loadSession(store, jar.context(), "fs");
      const leaving = await loadSession(store, jar.context(), "fs");
      expect([saving.isNew, leaving.isNew]).toEqual([false, false]);
      saving.set("more", round);
      await Promise.all([
        turns(Math.floor(Math.random() * 4)).then(() => saving.save()),
        turns(Math.floor(Math.random() * 4)).then(() => leaving.destroy()),
      ]);
      if ((await store.backend.read(first.id)) !== undefined) resurrected++;
    }
    expect(resurrected).toBe(0);
    expect(await readdir(store.dir)).toEqual([]);
  });
});
