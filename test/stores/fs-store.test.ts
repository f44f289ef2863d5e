import { chmod, chown, mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, truncate, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createCodec } from "../../src/codec/codec.ts";
import type { SessionError } from "../../src/errors.ts";
import { fetchContext } from "../../src/http/fetch.ts";
import type { Session } from "../../src/session/session.ts";
import { FilesystemStore } from "../../src/stores/fs/fs-store.ts";
import { freshSession, loadSession } from "../support/sessions.ts";
import { CookieJar } from "./cookie-jar.ts";

const HASH_KEY = "h".repeat(32);
const BLOCK_KEY = "b".repeat(32);

describe("FilesystemStore", () => {
  let root: string;
  let dir: string;
  let clock: number;
  let errors: SessionError[];
  let store: FilesystemStore;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), "ts-fs-"));
    dir = join(root, "sessions");
    clock = 1_700_000_000;
    errors = [];
    store = new FilesystemStore({ dir, hashKey: HASH_KEY, blockKey: BLOCK_KEY, now: () => clock, onError: (err) => errors.push(err) });
  });
  afterEach(async () => {
    await store.close();
    await rm(root, { recursive: true, force: true });
  });

  async function saved(values: Record<string, unknown>, maxAge?: number): Promise<{ session: Session; jar: CookieJar }> {
    const jar = new CookieJar();
    const ctx = jar.context();
    const session = await loadSession(store, ctx, "fs");
    for (const [key, value] of Object.entries(values)) session.set(key, value);
    if (maxAge !== undefined) session.cookie.maxAge = maxAge;
    await session.save(ctx);
    jar.absorb(ctx.headers);
    return { session, jar };
  }

  const files = async (): Promise<string[]> => (await readdir(dir)).sort();

  it("creates its directory with mode 0700 and files with mode 0600", async () => {
    const { session } = await saved({ a: 1 });
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(dir, `session_${session.id}`))).mode & 0o777).toBe(0o600);
  });

  it("keeps only the id in the cookie and the data encrypted in the file", async () => {
    const { session, jar } = await saved({ secret: "kataras-secret" });
    expect(session.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const content = await readFile(join(dir, `session_${session.id}`), "latin1");
    expect(content).not.toContain("kataras-secret");
    expect(Buffer.from(content.split("\n")[1] ?? "", "base64url").toString("latin1")).not.toContain("kataras");
    expect(jar.header().length).toBeLessThan(300);
  });

  it("stores values far larger than a cookie could hold", async () => {
    const big = "x".repeat(100_000);
    const { jar } = await saved({ big });
    const session = await loadSession(store, jar.context(), "fs");
    expect(session.getString("big")).toHaveLength(100_000);
  });

  it.each([
    ["a parent path", "../../etc/passwd"],
    ["an encoded parent path", "%2e%2e%2f%2e%2e%2fx"],
    ["a NUL byte", `${"a".repeat(42)}\u0000`],
    ["a 43-character path", `../${"a".repeat(40)}`],
    ["10 KB", "a".repeat(10_240)],
  ])("refuses a signed id with %s before touching the filesystem", async (_label, hostile) => {
    const read = vi.spyOn(store.backend, "read");
    const codec = createCodec({ hashKey: HASH_KEY, blockKey: BLOCK_KEY, serializer: "raw", maxLength: 0 });
    const cookie = codec.encode("fs", Buffer.from(hostile, "latin1"));
    const ctx = fetchContext(new Request("http://127.0.0.1/", { headers: { cookie: `fs=${cookie}` } }));
    const session = await loadSession(store, ctx, "fs");
    expect(session.isNew).toBe(true);
    expect(read).not.toHaveBeenCalled();
    expect(errors).toHaveLength(1);
    expect(errors[0]?.kind).toBe("decode");
  });

  it("refuses hostile ids in the backend itself", async () => {
    for (const id of ["../x", "..", "a/b", `${"a".repeat(42)}/`, "\u0000"]) {
      await expect(store.backend.read(id)).rejects.toMatchObject({ code: "invalid_session_id" });
      await expect(store.backend.write(id, "data", 60)).rejects.toMatchObject({ code: "invalid_session_id" });
    }
    expect(await readdir(root)).toEqual(["sessions"]);
  });

  it("never leaves a file that fails to decode after 500 concurrent saves to one session", async () => {
    const { session, jar } = await saved({ n: -1 });
    const ctx = jar.context();
    await Promise.all(
      Array.from({ length: 500 }, (_, n) => {
        session.set("n", n);
        return session.save();
      }),
    );
    const loaded = await loadSession(store, jar.context(), "fs");
    expect(loaded.isNew).toBe(false);
    expect(loaded.getInt("n")).toBeGreaterThanOrEqual(0);
    expect(await files()).toEqual([`session_${session.id}`]);
    expect(errors).toEqual([]);
  });

  it("never leaves a file that fails to decode after 500 concurrent saves to distinct sessions", async () => {
    const results = await Promise.all(Array.from({ length: 500 }, (_, n) => saved({ n })));
    expect(await files()).toHaveLength(500);
    const loaded = await Promise.all(results.map(({ jar }) => loadSession(store, jar.context(), "fs")));
    expect(loaded.map((session) => session.getInt("n"))).toEqual(results.map((_, n) => n));
    expect(errors).toEqual([]);
  });

  it("gives a fresh session and reports a file truncated by hand", async () => {
    const { session, jar } = await saved({ a: 1 });
    const path = join(dir, `session_${session.id}`);
    await truncate(path, (await stat(path)).size - 20);
    const loaded = await loadSession(store, jar.context(), "fs");
    expect(loaded.isNew).toBe(true);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.kind).toBe("decode");
  });

  it.each([
    ["an empty file", ""],
    ["no expiry line", "garbage"],
    ["a wrong expiry line", "soon\nabc"],
  ])("gives a fresh session and reports %s", async (_label, content) => {
    const { session, jar } = await saved({ a: 1 });
    await writeFile(join(dir, `session_${session.id}`), content);
    expect((await loadSession(store, jar.context(), "fs")).isNew).toBe(true);
    expect(errors.map((err) => err.kind)).toEqual(["decode"]);
  });

  it("refuses a file copied under another session's id", async () => {
    const victim = await saved({ role: "admin" });
    const attacker = await saved({ role: "guest" });
    const content = await readFile(join(dir, `session_${victim.session.id}`));
    await writeFile(join(dir, `session_${attacker.session.id}`), content);
    const loaded = await loadSession(store, attacker.jar.context(), "fs");
    expect(loaded.isNew).toBe(true);
    expect(loaded.get("role")).toBeUndefined();
    expect(errors.map((err) => err.code)).toEqual(["invalid_mac"]);
    expect(errors[0]?.message).not.toContain(attacker.session.id);
  });

  it("gives a fresh session and reports a deleted file", async () => {
    const { session, jar } = await saved({ a: 1 });
    await rm(join(dir, `session_${session.id}`));
    expect((await loadSession(store, jar.context(), "fs")).isNew).toBe(true);
    expect(errors.map((err) => err.code)).toEqual(["unknown_session"]);
  });

  it("cleanup() removes exactly the expired files", async () => {
    const short = await Promise.all([saved({ a: 1 }, 60), saved({ a: 2 }, 60)]);
    const long = await Promise.all([saved({ a: 3 }, 3600), saved({ a: 4 }, 0)]);
    await writeFile(join(dir, "unrelated.txt"), "keep me");
    expect(await store.cleanup()).toBe(0);
    clock += 61;
    expect(await store.cleanup()).toBe(2);
    const remaining = await files();
    expect(remaining).toEqual(["unrelated.txt", ...long.map(({ session }) => `session_${session.id}`)].sort());
    expect(short.every(({ session }) => !remaining.includes(`session_${session.id}`))).toBe(true);
  });

  it("sweeps expired files on an unref'd interval when sweepInterval is set", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    try {
      const swept = new FilesystemStore({ dir, hashKey: HASH_KEY, now: () => clock, sweepInterval: 60 });
      await saved({ a: 1 }, 10);
      clock += 11;
      vi.advanceTimersByTime(60_000);
      await vi.waitFor(async () => expect(await files()).toEqual([]));
      await swept.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it("removes temp files left by a crash when created, without sweepInterval (fresh temps stay)", async () => {
    await mkdir(dir, { recursive: true });
    const stale = join(dir, `session_${"a".repeat(43)}.0123456789abcdef.tmp`);
    const fresh = join(dir, `session_${"b".repeat(43)}.0123456789abcdef.tmp`);
    await writeFile(stale, "1\nhalf-written");
    await writeFile(fresh, "1\nbeing written");
    await utimes(stale, clock - 7200, clock - 7200);
    await utimes(fresh, clock - 60, clock - 60);
    const other = new FilesystemStore({ dir, hashKey: HASH_KEY, now: () => clock, onError: (err) => errors.push(err) });
    await vi.waitFor(async () => expect(await files()).toEqual([basename(fresh)]));
    await other.close();
    expect(errors).toEqual([]);
  });

  it("removes stale temp files after a write, at most every 10 minutes", async () => {
    await new Promise((done) => setTimeout(done, 50)); // the store's first sweep is over
    const stale = join(dir, `session_${"c".repeat(43)}.0123456789abcdef.tmp`);
    await writeFile(stale, "1\nhalf-written");
    await utimes(stale, clock - 7200, clock - 7200);
    clock += 60;
    const { session } = await saved({ a: 1 });
    await new Promise((done) => setTimeout(done, 50));
    expect(await files()).toContain(basename(stale)); // swept at creation, under 10 minutes ago
    clock += 600;
    await saved({ a: 2 });
    await vi.waitFor(async () => expect(await files()).not.toContain(basename(stale)));
    expect(await files()).toContain(`session_${session.id}`);
    expect(errors).toEqual([]);
  });

  it("wraps filesystem failures in store_unavailable with the cause", async () => {
    await rm(dir, { recursive: true });
    await writeFile(dir, "not a directory");
    const jar = new CookieJar();
    const ctx = jar.context();
    const session = await loadSession(store, ctx, "fs");
    session.set("a", 1);
    await expect(session.save(ctx)).rejects.toMatchObject({ code: "store_unavailable", kind: "unavailable", cause: expect.anything() });
    expect(ctx.headers.getSetCookie()).toEqual([]);
  });

  it("keeps session ids out of store_unavailable messages and causes (fs errors name the file)", async () => {
    const { session, jar } = await saved({ a: 1 });
    const id = session.id;
    await rm(dir, { recursive: true });
    await writeFile(dir, "not a directory"); // ENOTDIR on every path inside it
    const reports: unknown[] = [];
    const ctx = jar.context();
    const failures: unknown[] = [];
    await loadSession(store, ctx, "fs").catch((err: unknown) => failures.push(err));
    const again = freshSession(store, ctx, "fs");
    again.set("b", 2);
    await again.save(ctx).catch((err: unknown) => failures.push(err));
    session.set("c", 3);
    await session.regenerate().catch((err: unknown) => failures.push(err));
    expect(failures).toHaveLength(3);
    for (const failure of failures) {
      expect(failure).toMatchObject({ code: "store_unavailable" });
      const cause = (failure as Error).cause as NodeJS.ErrnoException;
      expect(cause.code).toBe("ENOTDIR");
      const text = [String(failure), (failure as Error).stack, String(cause), cause.stack, cause.path].join("\n");
      expect(text).toMatch(/session_[A-Za-z0-9_-]{6}…/); // the file is still named, by its id's first characters
      for (const full of [id, again.id, session.id]) expect(text).not.toContain(full);
      reports.push(cause.syscall);
    }
    expect(reports).toEqual(["open", "open", "open"]);
  });

  it("updates only a session file that still exists, and leaves no temp file when it does not", async () => {
    const { session } = await saved({ a: 1 });
    expect(await store.backend.update(session.id, "data", 60)).toBe(true);
    expect(await store.backend.read(session.id)).toBe("data");
    await store.backend.delete(session.id);
    expect(await store.backend.update(session.id, "again", 60)).toBe(false);
    expect(await files()).toEqual([]);
  });

  it("refuses a directory that is a symlink or another user's, and makes its own private", async () => {
    const target = join(root, "elsewhere");
    await mkdir(target, { mode: 0o700 });
    const link = join(root, "link");
    await symlink(target, link);
    expect(() => new FilesystemStore({ dir: link, hashKey: HASH_KEY })).toThrow(expect.objectContaining({ code: "invalid_option", message: expect.stringContaining("symbolic link") }));
    const file = join(root, "file");
    await writeFile(file, "");
    expect(() => new FilesystemStore({ dir: file, hashKey: HASH_KEY })).toThrow(expect.objectContaining({ code: "invalid_option" }));
    const open = join(root, "open");
    await mkdir(open, { mode: 0o755 });
    await chmod(open, 0o755);
    const mine = new FilesystemStore({ dir: open, hashKey: HASH_KEY });
    expect((await stat(open)).mode & 0o777).toBe(0o700);
    await mine.close();
    if (process.getuid?.() === 0) {
      const theirs = join(root, "theirs");
      await mkdir(theirs, { mode: 0o700 });
      await chown(theirs, 4242, 4242);
      expect(() => new FilesystemStore({ dir: theirs, hashKey: HASH_KEY })).toThrow(expect.objectContaining({ code: "invalid_option", message: expect.stringContaining("belongs to user 4242") }));
    }
  });

  it("creates its directory again when it was removed while running", async () => {
    await saved({ a: 1 });
    await rm(dir, { recursive: true });
    const { session, jar } = await saved({ b: 2 });
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    const loaded = await loadSession(store, jar.context(), "fs");
    expect([loaded.isNew, loaded.get("b"), loaded.id]).toEqual([false, 2, session.id]);
  });

  it("errors for a value over an explicit maxLength, and a larger maxLength fixes it (gorilla #2)", async () => {
    const big = "x".repeat(4096 * 2);
    const small = new FilesystemStore({ dir, hashKey: HASH_KEY, maxLength: 4096 });
    const large = new FilesystemStore({ dir, hashKey: HASH_KEY, maxLength: 4096 * 4 });
    try {
      const ctx = new CookieJar().context();
      const session = freshSession(small, ctx, "fs");
      session.set("big", big);
      await expect(session.save()).rejects.toMatchObject({ code: "encoded_too_long" });
      const retried = freshSession(large, ctx, "fs"); // a session is bound to its store: the same values, in the larger one
      retried.set("big", big);
      await expect(retried.save()).resolves.toBeUndefined();
    } finally {
      await small.close();
      await large.close();
    }
  });
});
