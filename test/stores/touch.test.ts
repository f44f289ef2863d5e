// Touch without rewrite (issue 14): a refresh that only moves a session's expiry (rolling) reaches the
// backend as one `touch`, leaving the stored bytes alone; so does one for an idle timeout or a browser-session
// cookie, whose load reads the touch back from the data's expiry (a backend without `readWithExpiry` rewrites).
import { mkdtemp, readFile, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FilesystemStore } from "../../src/stores/fs/fs-store.ts";
import { sessions } from "../../src/session/manager.ts";
import type { SessionConfig } from "../../src/session/session-config.ts";
import { MemoryBackend, MemoryStore } from "../../src/stores/memory-store.ts";
import { CookieJar } from "./cookie-jar.ts";

const hashKey = "t".repeat(32);
const blockKey = "T".repeat(32);

/** A memory backend that counts the calls each method gets and keeps the last data written. */
class CountingBackend extends MemoryBackend {
  readonly calls: string[] = [];
  readonly ttls = new Map<string, number>();

  override async read(id: string) {
    this.calls.push("read");
    return super.read(id);
  }
  override async readWithExpiry(id: string) {
    this.calls.push("readWithExpiry");
    return super.readWithExpiry(id);
  }
  override async write(id: string, data: string, ttlSeconds: number) {
    this.calls.push("write");
    this.ttls.set(id, ttlSeconds);
    return super.write(id, data, ttlSeconds);
  }
  override async modify(id: string, next: (current: string | undefined) => { readonly data: string; readonly ttlSeconds: number } | undefined) {
    this.calls.push("modify");
    return super.modify(id, next);
  }
  override async touch(id: string, ttlSeconds: number) {
    this.calls.push("touch");
    this.ttls.set(id, ttlSeconds);
    return super.touch(id, ttlSeconds);
  }
}

async function setup(config: SessionConfig, maxAge = 600) {
  let clock = 1_700_000_000;
  const backend = new CountingBackend(() => clock);
  const store = new MemoryStore({ hashKey, blockKey, backend, now: () => clock, cookie: { maxAge } });
  const manager = sessions("touchy", store, config);
  const jar = new CookieJar();
  const first = jar.context();
  const session = await manager.get(first);
  session.set("user", "ada");
  await session.save();
  jar.absorb(first.headers);
  const [id] = [...backend.ttls.keys()];
  const stored = async () => backend.read(id as string);
  /** One request after `seconds`: load, `fn`, save; returns its Set-Cookie lines and the backend calls. */
  const request = async (seconds: number, fn: (s: Awaited<ReturnType<typeof manager.get>>) => void = () => {}) => {
    clock += seconds;
    backend.calls.length = 0;
    const ctx = jar.context();
    const s = await manager.get(ctx);
    fn(s);
    await s.save();
    jar.absorb(ctx.headers);
    return { cookies: ctx.headers.getSetCookie(), calls: [...backend.calls] };
  };
  return { backend, stored, request, id: id as string, manager, jar };
}

describe("touch without rewrite", () => {
  it("moves a rolling session's expiry with one touch, re-sends the cookie, and leaves the stored bytes alone", async () => {
    const { backend, stored, request, id } = await setup({ rolling: true });
    const before = await stored();
    const { cookies, calls } = await request(100);
    expect(calls).toEqual(["read", "touch"]);
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatch(/Max-Age=600/);
    expect(await stored()).toBe(before);
    expect(backend.ttls.get(id)).toBe(600);
    // The session still loads after its original expiry (650 s after the write), since the touch moved it;
    // that long after the write, the data is rewritten to renew its signed time.
    const later = await request(550);
    expect(later.calls).toEqual(["read", "modify"]);
    expect(later.cookies).toHaveLength(1);
  });

  it("writes (merging) when anything changed, and when the stored data's signed time needs renewing", async () => {
    const { request } = await setup({ rolling: true });
    expect((await request(10, (s) => s.set("n", 1))).calls).toEqual(["read", "modify"]);
    expect((await request(10)).calls).toEqual(["read", "touch"]);
    expect((await request(500)).calls).toEqual(["read", "touch"]); // written 510 s ago
    // The codec's limit (the cookie maxAge, 600 s) after the last write: rewritten, re-signing the data.
    expect((await request(200)).calls).toEqual(["read", "modify"]);
    expect((await request(500)).calls).toEqual(["read", "touch"]);
  });

  it("refreshes an idle timeout by a touch that counts as an access, without re-sending the cookie", async () => {
    const { stored, request, backend, id } = await setup({ idleTimeout: 300 });
    const before = await stored();
    // A tenth of the idle timeout after the write: refreshed, by a touch (the expiry read back on load).
    const first = await request(40);
    expect(first.calls).toEqual(["readWithExpiry", "touch"]);
    expect(first.cookies).toEqual([]); // the cookie's own expiry (maxAge 600) does not move without rolling
    expect(await stored()).toBe(before);
    expect(backend.ttls.get(id)).toBe(600);
    // 320 s after the write but 280 s after the touch: still alive, and touched again.
    const second = await request(280, (s) => expect(s.get("user")).toBe("ada"));
    expect(second.calls).toEqual(["readWithExpiry", "touch"]);
    // Past half the cookie's signed-time limit (600 s) since it was issued: the touch re-sends it.
    const third = await request(250, (s) => expect(s.get("user")).toBe("ada"));
    expect(third.calls).toEqual(["readWithExpiry", "touch"]);
    expect(third.cookies).toHaveLength(1);
    expect(await stored()).toBe(before);
    // Idle for longer than the timeout since the last touch: a fresh session.
    const idle = await request(301, (s) => expect(s.isNew).toBe(true));
    expect(idle.calls).toEqual(["readWithExpiry"]);
  });

  it("rewrites the data once its signed time needs renewing, and still times out from the last access", async () => {
    const { request } = await setup({ idleTimeout: 300 });
    expect((await request(200)).calls).toEqual(["readWithExpiry", "touch"]);
    expect((await request(200)).calls).toEqual(["readWithExpiry", "touch"]);
    expect((await request(200)).calls).toEqual(["readWithExpiry", "modify"]); // 600 s after the write
    const after = await request(299, (s) => expect(s.get("user")).toBe("ada"));
    expect(after.calls).toEqual(["readWithExpiry", "touch"]);
  });

  it("touches a rolling session with an idle timeout and re-sends its cookie", async () => {
    const { request } = await setup({ rolling: true, idleTimeout: 300 });
    const { calls, cookies } = await request(10);
    expect(calls).toEqual(["readWithExpiry", "touch"]);
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatch(/Max-Age=600/);
  });

  it("refreshes a browser-session cookie's lifetime by a touch, without re-sending the cookie", async () => {
    const { request, backend, id } = await setup({ cookie: { maxAge: 0 }, sessionCookieLifetime: 1000 }, 4000);
    expect(backend.ttls.get(id)).toBe(1000);
    const first = await request(100);
    expect(first.calls).toEqual(["readWithExpiry", "touch"]);
    expect(first.cookies).toEqual([]);
    // 1,050 s after the write, 950 s after the touch: alive.
    const second = await request(950, (s) => expect(s.get("user")).toBe("ada"));
    expect(second.calls).toEqual(["readWithExpiry", "touch"]);
    expect((await request(1001, (s) => expect(s.isNew).toBe(true))).calls).toEqual(["readWithExpiry"]);
  });

  it("rewrites such refreshes on a backend that cannot tell its data's expiry", async () => {
    class NoExpiryReads extends CountingBackend {
      override readWithExpiry = undefined as unknown as CountingBackend["readWithExpiry"];
    }
    let clock = 1_700_000_000;
    const backend = new NoExpiryReads(() => clock);
    const store = new MemoryStore({ hashKey, blockKey, backend, now: () => clock, cookie: { maxAge: 600 } });
    const manager = sessions("plain", store, { rolling: true, idleTimeout: 300 });
    const jar = new CookieJar();
    const ctx = jar.context();
    const s = await manager.get(ctx);
    s.set("user", "ada");
    await s.save();
    jar.absorb(ctx.headers);
    clock += 10;
    backend.calls.length = 0;
    const next = jar.context();
    await (await manager.get(next)).save();
    expect(backend.calls).toEqual(["read", "modify"]);
  });

  it("does not bring back a session destroyed meanwhile", async () => {
    const { request, manager, jar, backend } = await setup({ rolling: true });
    const ctx = jar.context();
    const racing = await manager.get(ctx);
    const other = jar.context();
    await (await manager.get(other)).destroy();
    await racing.save();
    expect(ctx.headers.getSetCookie()).toEqual([]);
    expect(backend.size).toBe(0);
    void request;
  });
});

describe("touch without rewrite on the filesystem store", () => {
  it("refreshes an idle timeout by the file's mtime alone, and counts it as an access", async () => {
    const root = await mkdtemp(join(tmpdir(), "ts-touch-"));
    let clock = Math.floor(Date.now() / 1000);
    const store = new FilesystemStore({ dir: join(root, "s"), hashKey, blockKey, now: () => clock, cookie: { maxAge: 600 } });
    try {
      const manager = sessions("idle", store, { idleTimeout: 300 });
      const jar = new CookieJar();
      const request = async (seconds: number) => {
        clock += seconds;
        const ctx = jar.context();
        const s = await manager.get(ctx);
        const { isNew } = s;
        const user = s.get("user");
        if (isNew) s.set("user", "ada");
        await s.save();
        jar.absorb(ctx.headers);
        return { isNew, user, cookies: ctx.headers.getSetCookie() };
      };
      await request(0);
      const [file] = (await readdir(join(root, "s"))).filter((f) => !f.startsWith("."));
      const path = join(root, "s", file as string);
      const bytes = await readFile(path, "utf8");
      const { ino } = await stat(path);
      const touched = await request(40);
      expect(touched.isNew).toBe(false);
      expect(touched.cookies).toEqual([]);
      expect(await readFile(path, "utf8")).toBe(bytes);
      expect((await stat(path)).ino).toBe(ino);
      expect(Math.floor((await stat(path)).mtimeMs / 1000)).toBe(clock + 600);
      // 320 s after the write, 280 s after the touch: still the same session.
      expect((await request(280)).user).toBe("ada");
      expect(await readFile(path, "utf8")).toBe(bytes);
      expect((await request(301)).isNew).toBe(true);
    } finally {
      await store.close();
      await rm(root, { recursive: true, force: true });
    }
  });
});
