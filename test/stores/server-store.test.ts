import { describe, expect, it } from "vitest";
import { sessions } from "../../src/sessions.ts";
import { MemoryBackend } from "../../src/stores/memory-store.ts";
import { ServerStore } from "../../src/stores/server-store.ts";
import { CookieJar } from "./cookie-jar.ts";

const hashKey = "s".repeat(32);

/** A memory backend that records calls and can fail on demand. */
class RecordingBackend extends MemoryBackend {
  readonly calls: string[] = [];
  failWith: Error | undefined;
  override async read(id: string) {
    this.calls.push("read");
    if (this.failWith) throw this.failWith;
    return super.read(id);
  }
  override async write(id: string, data: string, ttl: number) {
    this.calls.push(`write ttl=${ttl}`);
    if (this.failWith) throw this.failWith;
    return super.write(id, data, ttl);
  }
  override async delete(id: string) {
    this.calls.push("delete");
    return super.delete(id);
  }
}

async function savedSession(store: ServerStore, jar: CookieJar, maxAge?: number) {
  const ctx = jar.context();
  const session = await sessions("srv", store).get(ctx);
  session.set("a", 1);
  if (maxAge !== undefined) session.options.maxAge = maxAge;
  await session.save(ctx);
  jar.absorb(ctx.headers);
  return session;
}

describe("ServerStore", () => {
  it("writes with the session's maxAge as TTL, or the store's for browser-session cookies", async () => {
    const backend = new RecordingBackend();
    const store = new ServerStore(backend, { hashKey, options: { maxAge: 3600 } });
    await savedSession(store, new CookieJar());
    await savedSession(store, new CookieJar(), 60);
    await savedSession(store, new CookieJar(), 0);
    expect(backend.calls).toEqual(["write ttl=3600", "write ttl=60", "write ttl=3600"]);
    await store.close();
  });

  it("refuses to persist a session whose id was set to something that is not a store id", async () => {
    const backend = new RecordingBackend();
    const store = new ServerStore(backend, { hashKey });
    const ctx = new CookieJar().context();
    const session = await sessions("srv", store).get(ctx);
    session.set("a", 1);
    session.id = "../../etc/passwd";
    await expect(session.save(ctx)).rejects.toMatchObject({ code: "invalid_option" });
    expect(backend.calls).toEqual([]);
    expect(ctx.headers.getSetCookie()).toEqual([]);
    await store.close();
  });

  it("uses the backend's replace for regenerate when it has one", async () => {
    const backend = new RecordingBackend();
    const replaced: string[][] = [];
    Object.assign(backend, {
      replace: async (oldId: string, newId: string, data: string, ttl: number) => {
        replaced.push([oldId, newId]);
        await backend.write(newId, data, ttl);
        await backend.delete(oldId);
      },
    });
    const store = new ServerStore(backend, { hashKey });
    const jar = new CookieJar();
    const session = await savedSession(store, jar);
    const oldId = session.id;
    const ctx = jar.context();
    const loaded = await sessions("srv", store).get(ctx);
    await loaded.regenerate(ctx);
    expect(replaced).toEqual([[oldId, loaded.id]]);
    expect(backend.size).toBe(1);
    await store.close();
  });

  it("wraps backend failures in store_unavailable, keeping the cause, and sets no cookie", async () => {
    const backend = new RecordingBackend();
    const store = new ServerStore(backend, { hashKey });
    const jar = new CookieJar();
    await savedSession(store, jar);
    const cause = new Error("connection refused");
    backend.failWith = cause;
    await expect(sessions("srv", store).get(jar.context())).rejects.toMatchObject({ code: "store_unavailable", cause });
    const ctx = jar.context();
    const fresh = await store.new(ctx, "srv");
    fresh.set("a", 2);
    await expect(fresh.save(ctx)).rejects.toMatchObject({ code: "store_unavailable", kind: "unavailable" });
    expect(ctx.headers.getSetCookie()).toEqual([]);
    await store.close();
  });

  it("never calls the backend for a cookie that fails to decode", async () => {
    const backend = new RecordingBackend();
    const store = new ServerStore(backend, { hashKey, onError: () => {} });
    const jar = new CookieJar();
    jar.cookies.set("srv", "garbage");
    expect((await store.get(jar.context(), "srv")).isNew).toBe(true);
    expect(backend.calls).toEqual([]);
    await store.close();
  });
});
