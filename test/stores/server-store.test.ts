import { afterEach, describe, expect, it, vi } from "vitest";
import { type NodeResponseLike, nodeContext } from "../../src/http/node.ts";
import { sessions } from "../../src/session/manager.ts";
import { MemoryBackend } from "../../src/stores/memory-store.ts";
import { EncodedMemo, MEMO_WINDOW } from "../../src/stores/encoded-memo.ts";
import { ServerStore } from "../../src/stores/server-store.ts";
import { freshSession, loadSession } from "../support/sessions.ts";
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
  if (maxAge !== undefined) session.cookie.maxAge = maxAge;
  await session.save(ctx);
  jar.absorb(ctx.headers);
  return session;
}

describe("ServerStore", () => {
  it("writes with the session's maxAge as TTL, or the store's for browser-session cookies", async () => {
    const backend = new RecordingBackend();
    const store = new ServerStore(backend, { hashKey, cookie: { maxAge: 3600 } });
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
    // A handler can no longer set the id (the lifecycle assigns it): checked at compile time, never run.
    const assignId = (): void => {
      // @ts-expect-error id is read-only
      session.id = "../../etc/passwd";
    };
    void assignId;
    // The store still refuses such an id when it is asked to persist one, through the store protocol.
    const write = {
      name: "srv",
      id: "../../etc/passwd",
      record: { values: session.values(), createdAt: session.createdAt, accessedAt: session.accessedAt },
      config: {},
      cookie: session.cookie,
      mode: "create" as const,
    };
    await expect((async () => store.prepare(write))()).rejects.toMatchObject({ code: "invalid_option" });
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

  it("changes no stored data when the cookie cannot be set: headers already sent, or options no header can carry", async () => {
    const backend = new RecordingBackend();
    Object.assign(backend, {
      replace: async (oldId: string, newId: string, data: string, ttl: number) => {
        backend.calls.push("replace");
        await MemoryBackend.prototype.write.call(backend, newId, data, ttl);
        await MemoryBackend.prototype.delete.call(backend, oldId);
      },
    });
    const store = new ServerStore(backend, { hashKey });
    const jar = new CookieJar();
    const session = await savedSession(store, jar);
    backend.calls.length = 0;
    const sent = { headersSent: true, getHeader: () => undefined, setHeader: () => sent } as unknown as NodeResponseLike;
    const late = nodeContext({ headers: { cookie: jar.header() } }, sent);
    const loaded = await sessions("srv", store).get(late);
    loaded.set("a", 2);
    await expect(loaded.save(late)).rejects.toMatchObject({ code: "headers_sent" });
    await expect(loaded.regenerate(late)).rejects.toMatchObject({ code: "headers_sent" });
    const fresh = freshSession(store, late, "srv");
    fresh.set("b", 1);
    await expect(fresh.save(late)).rejects.toMatchObject({ code: "headers_sent" });
    const ctx = jar.context();
    const badPath = await sessions("srv", store).get(ctx);
    badPath.set("a", 3);
    badPath.cookie.path = "/a;b";
    await expect(badPath.save(ctx)).rejects.toMatchObject({ code: "invalid_option" });
    expect(backend.calls).toEqual(["read", "read"]); // the two loads; no write, replace or delete
    const after = await sessions("srv", store).get(jar.context());
    expect([after.isNew, after.id, after.get("a"), backend.size]).toEqual([false, session.id, 1, 1]);
    await store.close();
  });

  it("keeps the session where its data is when regenerate fails, so a retried save does not lose it", async () => {
    const backend = new RecordingBackend();
    const store = new ServerStore(backend, { hashKey });
    const jar = new CookieJar();
    const session = await savedSession(store, jar);
    const ctx = jar.context();
    const loaded = await sessions("srv", store).get(ctx);
    loaded.set("cart", ["sku-1"]);
    backend.failWith = new Error("connection reset");
    await expect(loaded.regenerate(ctx)).rejects.toMatchObject({ code: "store_unavailable" });
    expect(loaded.id).toBe(session.id);
    backend.failWith = undefined;
    await loaded.save(ctx); // a retry (or saveAll) after the failed login
    jar.absorb(ctx.headers);
    const next = await sessions("srv", store).get(jar.context());
    expect([next.isNew, next.id, next.get("cart")]).toEqual([false, session.id, ["sku-1"]]);
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
    const fresh = freshSession(store, ctx, "srv");
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
    expect((await loadSession(store, jar.context(), "srv")).isNew).toBe(true);
    expect(backend.calls).toEqual([]);
    await store.close();
  });
});

describe("ServerStore: loading what it wrote", () => {
  afterEach(() => vi.restoreAllMocks());

  /** Loads `jar`'s session "srv" from `store`, with the codes of the errors its hook saw. */
  async function load(store: ServerStore, jar: CookieJar, errors: string[]) {
    const session = await loadSession(store, jar.context(), "srv", { onError: (err) => errors.push((err as { code: string }).code) });
    return session;
  }

  it("takes its own id cookie and data from memory, and another store of the same keys decodes them", async () => {
    const backend = new MemoryBackend();
    const store = new ServerStore(backend, { hashKey });
    const other = new ServerStore(backend, { hashKey });
    const jar = new CookieJar();
    await savedSession(store, jar);
    const recall = vi.spyOn(EncodedMemo.prototype, "recall");
    const errors: string[] = [];
    expect((await load(store, jar, errors)).get("a")).toBe(1);
    expect(recall.mock.results.map((result) => result.value instanceof Uint8Array)).toEqual([true, true]);
    recall.mockClear();
    expect((await load(other, jar, errors)).get("a")).toBe(1); // another app server: decoded
    expect(recall.mock.results.map((result) => result.value)).toEqual([undefined, undefined]);
    expect(errors).toEqual([]);
    await Promise.all([store.close(), other.close()]);
  });

  it("stops looking in memory when loads keep finding the other app server's writes, and loads them right", async () => {
    const backend = new MemoryBackend();
    let now = 1_700_000_000;
    // Two app servers, their clocks a second apart: they never sign the same text.
    const servers = [new ServerStore(backend, { hashKey, now: () => now }), new ServerStore(backend, { hashKey, now: () => now - 1 })];
    const jar = new CookieJar();
    await savedSession(servers[0]!, jar);
    const recall = vi.spyOn(EncodedMemo.prototype, "recall");
    const errors: string[] = [];
    for (let i = 0; i < 2 * MEMO_WINDOW + 2; i++) {
      const server = servers[i % 2]!;
      const ctx = jar.context();
      const session = await loadSession(server, ctx, "srv", { onError: (err) => errors.push((err as { code: string }).code) });
      expect([session.isNew, session.get("a")]).toEqual([false, i + 1]);
      session.set("a", i + 2);
      now += 1;
      await session.save(ctx);
      jar.absorb(ctx.headers);
    }
    expect(errors).toEqual([]);
    // Resting now: the same server loading what it just saved decodes it too.
    recall.mockClear();
    const again = await load(servers[1]!, jar, errors);
    expect(again.get("a")).toBe(2 * MEMO_WINDOW + 3);
    expect(recall.mock.results.map((result) => result.value)).toEqual([undefined, undefined]);
    await Promise.all(servers.map((server) => server.close()));
  });

  it("refuses its own id cookie once older than the cookie's maxAge, as the codec does", async () => {
    let now = 1_700_000_000;
    const clock = () => now;
    const backend = new MemoryBackend();
    const store = new ServerStore(backend, { hashKey, now: clock, cookie: { maxAge: 60 } });
    const other = new ServerStore(backend, { hashKey, now: clock, cookie: { maxAge: 60 } });
    const jar = new CookieJar();
    await savedSession(store, jar);
    now += 60;
    const errors: string[] = [];
    expect((await load(store, jar, errors)).isNew).toBe(false); // at maxAge: still good
    now += 1;
    expect((await load(store, jar, errors)).isNew).toBe(true);
    expect((await load(other, jar, errors)).isNew).toBe(true);
    expect(errors).toEqual(["expired", "expired"]);
    await Promise.all([store.close(), other.close()]);
  });

  it("refuses data it wrote for another session when it turns up under this one's id", async () => {
    const backend = new MemoryBackend();
    const store = new ServerStore(backend, { hashKey, onError: () => {} });
    const victim = new CookieJar();
    const attacker = new CookieJar();
    const saved = await savedSession(store, victim);
    const theirs = await savedSession(store, attacker);
    // Both data texts are this store's own; swapped, neither is what it wrote under that id.
    await backend.write(saved.id, (await backend.read(theirs.id)) as string, 3600);
    const errors: string[] = [];
    expect((await load(store, victim, errors)).isNew).toBe(true);
    expect(errors).toEqual(["invalid_mac"]);
    expect((await load(store, attacker, errors)).get("a")).toBe(1);
    await store.close();
  });
});
