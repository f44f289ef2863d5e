// Touch without rewrite (issue 14): a refresh that only moves a session's expiry (rolling) reaches the
// backend as one `touch`, leaving the stored bytes alone; what reads the stored access time still rewrites.
import { describe, expect, it } from "vitest";
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

  it("rewrites when an idle timeout reads the stored access time, and for browser-session cookies", async () => {
    const idle = await setup({ rolling: true, idleTimeout: 300 });
    expect((await idle.request(10)).calls).toEqual(["read", "modify"]);
    const browser = await setup({ rolling: true });
    expect((await browser.request(10, (s) => (s.cookie.maxAge = 0))).calls).toEqual(["read", "modify"]);
    expect((await browser.request(10)).calls).toEqual(["read", "modify"]);
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
