import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import type { KeyPair } from "../../src/codec/keys.ts";
import type { SessionError } from "../../src/errors.ts";
import type { ErrorInfo, SessionConfig } from "../../src/session/session-config.ts";
import { sessions } from "../../src/session/manager.ts";
import { FilesystemStore } from "../../src/stores/fs/fs-store.ts";
import { MemoryBackend, MemoryStore } from "../../src/stores/memory-store.ts";
import { RedisStore } from "../../src/stores/redis/redis-store.ts";
import { ServerStore, type SessionBackend } from "../../src/stores/server-store.ts";
import { SESSION_ID_PATTERN, generateSessionId } from "../../src/stores/session-id.ts";
import { MAX_USER_SESSIONS, isUserIndexId, parseIndex, userIndexId } from "../../src/stores/user-index.ts";
import { connect, deletePrefix, keysUnder, testPrefix } from "../redis/env.ts";
import { CookieJar } from "./cookie-jar.ts";
import { ExpiryRecordingBackend } from "./expiry-recording-backend.ts";

const KEYS: KeyPair[] = [{ hashKey: "u".repeat(32), blockKey: "U".repeat(32) }];
const START = 1_700_000_000;
const NAME = "app";
/** What a typed session would pass: the user id it stores, when someone is logged in. */
const CONFIG: SessionConfig = { userKey: (values) => values["userId"] as string | undefined };

const client = connect();
afterAll(() => client.disconnect());

/** One real store over a backend the test can look into. */
interface Harness {
  /** Builds a store over the shared backend, on the test clock. */
  make(now: () => number): ServerStore;
  /** The ids of every record the backend holds, expired or not (sessions and indexes). */
  records(): Promise<string[]>;
  /** The remaining time to live of record `id` at test time `now`, in seconds. */
  ttl(id: string, now: number): Promise<number>;
  cleanup(): Promise<void>;
}

const harnesses: Record<string, () => Promise<Harness>> = {
  MemoryStore: async () => {
    let backend: ExpiryRecordingBackend | undefined;
    const stores: ServerStore[] = [];
    return {
      make: (now) => {
        backend ??= new ExpiryRecordingBackend(now);
        const store = new MemoryStore({ keys: KEYS, now, backend });
        stores.push(store);
        return store;
      },
      records: async () => [...(backend?.expiries.keys() ?? [])],
      ttl: async (id, now) => (backend?.expiries.get(id) ?? now) - now,
      cleanup: async () => {
        for (const store of stores) await store.close();
      },
    };
  },
  FilesystemStore: async () => {
    const dir = await mkdtemp(join(tmpdir(), "ts-user-index-"));
    const stores: ServerStore[] = [];
    return {
      make: (now) => {
        const store = new FilesystemStore({ dir, keys: KEYS, now });
        stores.push(store);
        return store;
      },
      records: async () => (await readdir(dir)).map((file) => file.replace(/^session_/, "")),
      ttl: async (id, now) => {
        const text = await readFile(join(dir, `session_${id}`), "latin1");
        return Number(text.slice(0, text.indexOf("\n"))) - now;
      },
      cleanup: async () => {
        for (const store of stores) await store.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
  RedisStore: async () => {
    const prefix = testPrefix("user-index");
    const stores: ServerStore[] = [];
    return {
      make: (now) => {
        const store = new RedisStore({ client, prefix, keys: KEYS, now });
        stores.push(store);
        return store;
      },
      records: async () => (await keysUnder(client, prefix)).map((key) => key.slice(prefix.length)),
      // Redis keeps its own clock: its TTL, whatever the test clock says.
      ttl: async (id) => (await client.pttl(prefix + id)) / 1000,
      cleanup: async () => {
        for (const store of stores) await store.close();
        await deletePrefix(client, prefix);
      },
    };
  },
};

/**
 * A backend that forwards to `inner` (its optional methods only when `inner` has them) and lets a test hold
 * back the writes of session data, or fail the index's operations.
 */
class GatedBackend implements SessionBackend {
  readonly #inner: SessionBackend;
  /** Writes of session data (not indexes) wait for this while set. */
  gate: Promise<void> | undefined;
  /** Resolved when a write reached the gate. */
  reached: (() => void) | undefined;
  /** Index reads, writes and deletes throw this while set. */
  indexFailure: Error | undefined;
  update?: NonNullable<SessionBackend["update"]>;
  replace?: NonNullable<SessionBackend["replace"]>;
  modify?: NonNullable<SessionBackend["modify"]>;

  constructor(inner: SessionBackend) {
    this.#inner = inner;
    if (inner.update !== undefined) this.update = async (id, data, ttl) => (await this.#pass(id), inner.update!(id, data, ttl));
    if (inner.replace !== undefined) this.replace = async (old, id, data, ttl) => (await this.#pass(id), inner.replace!(old, id, data, ttl));
    if (inner.modify !== undefined) this.modify = async (id, next) => (await this.#pass(id), inner.modify!(id, next));
  }
  async #pass(id: string): Promise<void> {
    if (isUserIndexId(id)) {
      if (this.indexFailure !== undefined) throw this.indexFailure;
      return;
    }
    if (this.gate === undefined) return;
    this.reached?.();
    await this.gate;
  }
  async read(id: string) {
    if (isUserIndexId(id) && this.indexFailure !== undefined) throw this.indexFailure;
    return this.#inner.read(id);
  }
  async write(id: string, data: string, ttl: number) {
    await this.#pass(id);
    return this.#inner.write(id, data, ttl);
  }
  async delete(id: string) {
    if (isUserIndexId(id) && this.indexFailure !== undefined) throw this.indexFailure;
    return this.#inner.delete(id);
  }
  clear() {
    return this.#inner.clear();
  }
}

for (const [label, harness] of Object.entries(harnesses)) {
  describe(`${label} user index`, () => {
    let h: Harness;
    let clock: number;
    let store: ServerStore;
    const now = () => clock;

    beforeEach(async () => {
      h = await harness();
      clock = START;
      store = h.make(now);
    });
    afterEach(async () => {
      await h.cleanup();
    });

    /** One request of the browser `jar` against `target`; returns what `fn` returns. */
    async function request<T>(jar: CookieJar, fn: (session: Awaited<ReturnType<ReturnType<typeof sessions>["get"]>>) => Promise<T>, target = store, config = CONFIG): Promise<T> {
      const ctx = jar.context();
      const result = await fn(await sessions(NAME, target, config).get(ctx));
      jar.absorb(ctx.headers);
      return result;
    }

    /** Logs `user` in on a new browser (regenerate, as a login should); returns the browser and the session id. */
    async function login(user: string, maxAge?: number, target = store): Promise<{ jar: CookieJar; id: string }> {
      const jar = new CookieJar();
      const id = await request(
        jar,
        async (session) => {
          session.set("visits", 0);
          await session.save();
          session.set("userId", user);
          if (maxAge !== undefined) session.cookie.maxAge = maxAge;
          await session.regenerate();
          return session.id;
        },
        target,
      );
      return { jar, id };
    }

    async function index(user: string): Promise<Map<string, { expiresAt: number; revoked: boolean }>> {
      return parseIndex(await store.backend.read(userIndexId(user)), clock);
    }

    async function liveIds(user: string): Promise<string[]> {
      return [...(await index(user))].filter(([, entry]) => !entry.revoked).map(([id]) => id).sort();
    }

    /** What the browser's next request finds: the user it is logged in as, or undefined for a fresh session. */
    async function whoIs(jar: CookieJar): Promise<unknown> {
      return request(jar, async (session) => (session.isNew ? undefined : session.get("userId")));
    }

    it("revokes every session of one user across devices with destroyAll, leaving other users' alone", async () => {
      const phone = await login("alice");
      const laptop = await login("alice");
      const tablet = await login("alice");
      const bob = await login("bob");
      await request(laptop.jar, async (session) => {
        session.set("visits", 1);
        await session.save();
      });
      expect(await liveIds("alice")).toEqual([phone.id, laptop.id, tablet.id].sort());
      expect(await liveIds("bob")).toEqual([bob.id]);

      expect(await store.destroyAll("alice")).toBe(3);

      for (const device of [phone, laptop, tablet]) expect(await whoIs(device.jar)).toBeUndefined();
      expect(await whoIs(bob.jar)).toBe("bob");
      expect(await liveIds("alice")).toEqual([]);
      expect(await liveIds("bob")).toEqual([bob.id]);
      const left = await h.records();
      for (const device of [phone, laptop, tablet]) expect(left).not.toContain(device.id);
      expect(left).toContain(bob.id);
      expect(await store.destroyAll("alice")).toBe(0);
      // What is left of the index is its revoked entries, for a few minutes only.
      expect(await h.ttl(userIndexId("alice"), clock)).toBeLessThanOrEqual(601);
    });

    it("moves the id in the index when a session is regenerated", async () => {
      const { jar, id } = await login("alice");
      const moved = await request(jar, async (session) => {
        await session.regenerate();
        return session.id;
      });
      expect(moved).not.toBe(id);
      expect(await liveIds("alice")).toEqual([moved]);
      expect(await store.destroyAll("alice")).toBe(1);
      expect(await whoIs(jar)).toBeUndefined();
    });

    it("takes a destroyed session out of its index, and moves a session whose user changed", async () => {
      const first = await login("alice");
      const second = await login("alice");
      await request(first.jar, (session) => session.destroy());
      expect(await liveIds("alice")).toEqual([second.id]);

      await request(second.jar, async (session) => {
        session.set("userId", "bob"); // an admin "becomes" another user, without regenerate
        await session.save();
      });
      expect(await liveIds("alice")).toEqual([]);
      expect(await liveIds("bob")).toEqual([second.id]);

      await request(second.jar, async (session) => {
        session.delete("userId"); // a logout that keeps the session
        await session.save();
      });
      expect(await liveIds("bob")).toEqual([]);
      expect(await store.destroyAll("bob")).toBe(0);
      expect(await whoIs(second.jar)).toBeUndefined(); // still a session, of no one
      expect(await request(second.jar, async (session) => session.isNew)).toBe(false);
    });

    it("prunes the entries of expired sessions at the next update and does not count them", async () => {
      const long = await login("alice", 3600); // keeps the index record itself alive
      const short = await login("alice", 100);
      clock += 100 + 10 + 61; // past the short session and its entry's headroom
      const later = await login("alice", 3600);
      expect(await h.records()).toContain(userIndexId("alice"));
      expect([...(await index("alice")).keys()].sort()).toEqual([long.id, later.id].sort());
      expect(await store.destroyAll("alice")).toBe(2);
      expect(await whoIs(later.jar)).toBeUndefined();
      void short; // its data expires by itself (on Redis by Redis's clock, not the test's)
    });

    it("keeps the index no shorter-lived than its longest-lived session, and refreshes it as sessions slide", async () => {
      await login("alice", 7200);
      await login("alice", 60);
      const ttl = await h.ttl(userIndexId("alice"), clock);
      expect(ttl).toBeGreaterThanOrEqual(7200 + 60);
      expect(ttl).toBeLessThanOrEqual(7200 + 60 + 720 + 1);

      // A session saved again near the end of its life moves its entry (and the index) with it.
      const { jar, id } = await login("bob", 600);
      clock += 590;
      await request(jar, async (session) => {
        session.set("visits", 2);
        await session.save();
      });
      const entry = (await index("bob")).get(id);
      expect(entry?.expiresAt).toBeGreaterThanOrEqual(clock + 600 + 60);
      clock += 500; // past the first save's entry, within the second's
      expect(await liveIds("bob")).toEqual([id]);
    });

    it("hashes hostile user keys into fixed, safe ids and refuses the ones no user key can be", async () => {
      const hostile = ["../../etc/passwd", "*?[]\\ glob", "session:admin:x", "line\nbreak\0nul", "é😀", "x".repeat(1024)];
      const logins = [];
      for (const user of hostile) logins.push(await login(user));
      for (const id of await h.records()) expect(id).toMatch(SESSION_ID_PATTERN);
      for (const user of hostile) expect(isUserIndexId(userIndexId(user))).toBe(true);
      expect(new Set(hostile.map(userIndexId)).size).toBe(hostile.length);
      for (const [i, user] of hostile.entries()) {
        expect(await store.destroyAll(user)).toBe(1);
        expect(await whoIs(logins[i]!.jar)).toBeUndefined();
      }

      const before = (await h.records()).sort();
      for (const bad of ["", "x".repeat(1025), "lone \uD800 surrogate", 42, null]) {
        const jar = new CookieJar();
        await expect(
          request(jar, async (session) => {
            session.set("userId", bad);
            await session.save();
          }),
        ).rejects.toMatchObject({ code: "invalid_user_key", kind: "usage" });
        expect(jar.cookies.size).toBe(0);
        if (typeof bad === "string") await expect(store.destroyAll(bad)).rejects.toMatchObject({ code: "invalid_user_key" });
      }
      expect((await h.records()).sort()).toEqual(before); // nothing written
    });

    it("keeps every one of concurrent saves of one user's sessions in the index", async () => {
      const logins = await Promise.all(Array.from({ length: 24 }, () => login("alice")));
      expect(await liveIds("alice")).toEqual(logins.map((l) => l.id).sort());
      // Two stores over the same backend (two app instances in one process) too.
      const other = h.make(now);
      const more = await Promise.all(Array.from({ length: 12 }, (_, i) => login("alice", undefined, i % 2 === 0 ? store : other)));
      expect(await liveIds("alice")).toHaveLength(36);
      expect(await store.destroyAll("alice")).toBe(36);
      for (const l of [...logins, ...more]) expect(await whoIs(l.jar)).toBeUndefined();
    });

    it("removes the indexes with clear()", async () => {
      await login("alice");
      await login("bob");
      expect((await h.records()).filter(isUserIndexId)).toHaveLength(2);
      await store.clear();
      expect(await h.records()).toEqual([]);
      expect(await store.destroyAll("alice")).toBe(0);
      const again = await login("alice"); // what the store remembered went with it
      expect(await liveIds("alice")).toEqual([again.id]);
    });

    it("revokes a session that was being created while destroyAll ran, and never writes a revoked one", async () => {
      const gated = new GatedBackend(store.backend);
      const racing = new ServerStore(gated, { keys: KEYS, now });
      let release!: () => void;
      gated.gate = new Promise((resolve) => (release = resolve));
      const reached = new Promise<void>((resolve) => (gated.reached = resolve));
      const jar = new CookieJar();
      const saving = request(
        jar,
        async (session) => {
          session.set("userId", "alice");
          await session.save(); // a login: indexed, then held before its data is written
        },
        racing,
      );
      await reached;
      expect(await store.destroyAll("alice")).toBe(1);
      gated.gate = undefined;
      release();
      await saving;
      expect(jar.cookies.size).toBe(0); // the save found its session revoked: no cookie
      expect((await h.records()).filter((id) => !isUserIndexId(id))).toEqual([]);
      // The revoked entry refuses a later write of that id, and a new login is indexed as usual.
      const next = await login("alice", undefined, racing);
      expect(await liveIds("alice")).toEqual([next.id]);
      await racing.close();
    });

    it("fails a save whose index cannot be updated before writing anything, and reports failed removals", async () => {
      const gated = new GatedBackend(store.backend);
      const errors: Array<[SessionError, ErrorInfo]> = [];
      const failing = new ServerStore(gated, { keys: KEYS, now, onError: (err, info) => errors.push([err, info]) });
      const kept = await login("alice", undefined, failing);

      gated.indexFailure = new Error("index disk full");
      const before = (await h.records()).sort();
      const jar = new CookieJar();
      await expect(
        request(
          jar,
          async (session) => {
            session.set("userId", "alice");
            await session.save();
          },
          failing,
        ),
      ).rejects.toMatchObject({ code: "store_unavailable", message: expect.stringContaining("index disk full") });
      expect(jar.cookies.size).toBe(0);
      expect((await h.records()).sort()).toEqual(before);

      // A logout still logs out: the stale entry is reported, not thrown.
      await request(kept.jar, (session) => session.destroy(), failing);
      expect(errors.map(([err, info]) => [err.code, info.phase])).toEqual([["store_unavailable", "cleanup"]]);
      expect(await whoIs(kept.jar)).toBeUndefined();
      gated.indexFailure = undefined;
      expect(await liveIds("alice")).toEqual([kept.id]); // left behind; destroyAll deleting it again is harmless
      expect(await failing.destroyAll("alice")).toBe(1);
      await failing.close();
    });

    it("writes no index for sessions without a userKey", async () => {
      const jar = new CookieJar();
      await request(
        jar,
        async (session) => {
          session.set("userId", "alice");
          await session.save();
        },
        store,
        {},
      );
      const records = await h.records();
      expect(records).toHaveLength(1);
      expect(records.filter(isUserIndexId)).toEqual([]);
      expect(await store.destroyAll("alice")).toBe(0);
    });
  });
}

describe("user index ids", () => {
  it("never collide with generated session ids, and derive one id per key", () => {
    for (let i = 0; i < 20_000; i++) expect(isUserIndexId(generateSessionId())).toBe(false);
    const id = userIndexId("alice");
    expect(id).toMatch(SESSION_ID_PATTERN);
    expect(userIndexId("alice")).toBe(id);
    expect(userIndexId("alice ")).not.toBe(id);
  });
});

describe("user index over a backend with modify", () => {
  /** A memory backend with an optimistic `modify`: it reads, yields, and retries when the data moved meanwhile. */
  class OptimisticBackend extends MemoryBackend {
    calls = 0;
    runs = 0;
    override async modify(id: string, next: (current: string | undefined) => { readonly data: string; readonly ttlSeconds: number } | undefined): Promise<boolean> {
      this.calls++;
      for (;;) {
        const seen = await this.read(id);
        this.runs++;
        const result = next(seen);
        await new Promise((resolve) => setImmediate(resolve)); // let concurrent calls interleave
        if ((await this.read(id)) !== seen) continue; // moved meanwhile: run `next` again on the new data
        if (result === undefined) return false;
        await this.write(id, result.data, result.ttlSeconds);
        return true;
      }
    }
  }

  it("keeps every concurrent save in the index through modify, which may run its update more than once", async () => {
    const backend = new OptimisticBackend();
    const store = new ServerStore(backend, { keys: KEYS });
    const manager = sessions(NAME, store, CONFIG);
    const jars = Array.from({ length: 20 }, () => new CookieJar());
    await Promise.all(
      jars.map(async (jar) => {
        const ctx = jar.context();
        const session = await manager.get(ctx);
        session.set("userId", "alice");
        await session.save();
        jar.absorb(ctx.headers);
      }),
    );
    expect(backend.runs).toBeGreaterThan(backend.calls); // retries happened
    const entries = parseIndex(await backend.read(userIndexId("alice")), Date.now() / 1000);
    expect(entries.size).toBe(20);
    expect(await store.destroyAll("alice")).toBe(20);
    expect(backend.size).toBe(1); // only the index, holding the revoked entries for a while
    await store.close();
  });
});

describe("user index over a backend with neither update nor modify", () => {
  it("keeps a session destroyAll revoked from coming back through a save still under way", async () => {
    const inner = new MemoryBackend();
    // The README's minimal backend: read, write, delete, clear; a save of a loaded session is a plain write.
    const backend: SessionBackend = {
      read: (id) => inner.read(id),
      write: (id, data, ttl) => inner.write(id, data, ttl),
      delete: (id) => inner.delete(id),
      clear: () => inner.clear(),
    };
    const store = new ServerStore(backend, { keys: KEYS });
    const manager = sessions(NAME, store, CONFIG);
    const jar = new CookieJar();
    const first = jar.context();
    const login = await manager.get(first);
    login.set("userId", "alice");
    await login.save();
    jar.absorb(first.headers);

    const ctx = jar.context();
    const session = await manager.get(ctx); // a request that loaded the session…
    expect(await store.destroyAll("alice")).toBe(1); // …when the password changed
    session.set("cart", ["book"]);
    await session.save();
    expect(ctx.headers.getSetCookie()).toEqual([]);
    expect(inner.size).toBe(1); // only the index
    expect((await manager.get(jar.context())).isNew).toBe(true);
    await store.close();
  });
});

describe("user index limits", () => {
  it(`destroys the sessions that expire soonest beyond ${MAX_USER_SESSIONS} live ones of one user`, async () => {
    let clock = START;
    const backend = new MemoryBackend(() => clock);
    const store = new MemoryStore({ keys: KEYS, now: () => clock, backend });
    const manager = sessions(NAME, store, CONFIG);
    const jars: CookieJar[] = [];
    for (let i = 0; i <= MAX_USER_SESSIONS; i++) {
      clock++;
      const jar = new CookieJar();
      const ctx = jar.context();
      const session = await manager.get(ctx);
      session.set("userId", "bot");
      await session.save();
      jar.absorb(ctx.headers);
      jars.push(jar);
    }
    const entries = [...parseIndex(await backend.read(userIndexId("bot")), clock)];
    expect(entries.filter(([, entry]) => !entry.revoked)).toHaveLength(MAX_USER_SESSIONS);
    const loadFirst = async (jar: CookieJar) => {
      const session = await manager.get(jar.context());
      return session.isNew;
    };
    expect(await loadFirst(jars[0]!)).toBe(true); // the oldest was logged out
    expect(await loadFirst(jars[1]!)).toBe(false);
    expect(await loadFirst(jars[MAX_USER_SESSIONS]!)).toBe(false);
    await store.close();
  });

  it("refuses an index something else wrote with corrupt_data", async () => {
    const backend = new MemoryBackend();
    const store = new MemoryStore({ keys: KEYS, backend });
    await backend.write(userIndexId("alice"), "not an index", 60);
    await expect(store.destroyAll("alice")).rejects.toMatchObject({ code: "corrupt_data" });
    await store.close();
  });
});
