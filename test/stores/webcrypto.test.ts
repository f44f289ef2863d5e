// The store contract (data, cookies, expiry, rotation, concurrent saves and their merges) with the WebCrypto
// codec forced on Node (`crypto: "webcrypto"`): what the stores do on a runtime without node:crypto.
import { afterAll, describe, expect, it } from "vitest";
import { CookieStore } from "../../src/stores/cookie-store.ts";
import { MemoryBackend, MemoryStore } from "../../src/stores/memory-store.ts";
import { ServerStore } from "../../src/stores/server-store.ts";
import { sessions } from "../../src/session/manager.ts";
import { connect } from "../redis/env.ts";
import { describeStoreContract } from "./contract.ts";
import { memoryHarness, redisHarness } from "./harnesses.ts";
import { CookieJar } from "./cookie-jar.ts";
import { loadSession } from "../support/sessions.ts";

describeStoreContract("CookieStore on WebCrypto", async () => ({
  serverSide: false,
  make: ({ keys, now, onError, cookie }) => new CookieStore({ keys, now, onError, cookie, signedOnly: true, crypto: "webcrypto" }),
  cleanup: async () => {},
}));

describeStoreContract("MemoryStore on WebCrypto", memoryHarness({ crypto: "webcrypto" }));

const client = connect();
afterAll(() => client.disconnect());

// Redis's modify is optimistic (a compare-and-set, retried): the WebCrypto store merges outside it.
describeStoreContract("RedisStore on WebCrypto", redisHarness(() => client, "webcrypto", { crypto: "webcrypto" }));

describe("stores with the WebCrypto codec", () => {
  const keys = [{ hashKey: "w".repeat(32), blockKey: "W".repeat(32) }];

  it("answer load and prepare with promises, where node:crypto's cookie store answers at once", async () => {
    const web = new CookieStore({ keys, crypto: "webcrypto" });
    const node = new CookieStore({ keys });
    const app = sessions("s", node);
    const jar = new CookieJar();
    const ctx = jar.context();
    const session = await app.get(ctx);
    session.set("n", 1);
    await session.save();
    jar.absorb(ctx.headers);
    const cookie = jar.cookies.get("s") as string;
    const config = {};
    expect(node.load("s", cookie, config)).not.toBeInstanceOf(Promise);
    const loaded = web.load("s", cookie, config);
    expect(loaded).toBeInstanceOf(Promise);
    expect((await loaded).values).toEqual({ n: 1 });
  });

  it("read the cookies of node:crypto stores with the same keys, and theirs are read back", async () => {
    for (const [writer, reader] of [
      [new MemoryStore({ keys }), undefined],
      [new CookieStore({ keys }), new CookieStore({ keys, crypto: "webcrypto" })],
      [new CookieStore({ keys, crypto: "webcrypto" }), new CookieStore({ keys })],
    ] as const) {
      const jar = new CookieJar();
      const first = jar.context();
      const written = await sessions("s", writer).get(first);
      written.set("when", new Date(0));
      await written.save();
      jar.absorb(first.headers);
      const target = reader ?? writer;
      const read = await sessions("s", target).get(jar.context());
      expect(read.isNew).toBe(false);
      expect(read.get("when")).toEqual(new Date(0));
    }
  });

  /**
   * A MemoryBackend whose data moves under a WebCrypto merge as another process's save would: before the
   * first `times` calls of `modify`, `other` writes its own change (the lock of this process cannot see it).
   */
  class MovingBackend extends MemoryBackend {
    times: number;
    other: (() => Promise<void>) | undefined;
    constructor(times: number) {
      super();
      this.times = times;
    }
    #moving = false;
    override async modify(...args: Parameters<MemoryBackend["modify"]>): Promise<boolean> {
      if (this.times > 0 && this.other !== undefined && !this.#moving) {
        this.times--;
        this.#moving = true; // the other save goes through modify too: not moved under itself
        try {
          await this.other();
        } finally {
          this.#moving = false;
        }
      }
      return super.modify(...args);
    }
  }

  /** A WebCrypto store over `backend`, and a node:crypto one standing for another process. */
  const twoProcesses = (backend: MemoryBackend) => ({
    web: new ServerStore(backend, { keys, crypto: "webcrypto" }),
    other: new ServerStore(backend, { keys }),
  });

  it("merge a save onto data another process changed since the load, and keep a logout made meanwhile", async () => {
    const backend = new MovingBackend(1);
    const { web, other } = twoProcesses(backend);
    const jar = new CookieJar();
    const ctx = jar.context();
    const created = await loadSession(web, ctx, "s");
    created.set("a", 1);
    await created.save();
    jar.absorb(ctx.headers);

    const mine = await loadSession(web, jar.context(), "s");
    mine.set("b", 2);
    backend.other = async () => {
      const theirs = await loadSession(other, jar.context(), "s");
      theirs.set("c", 3);
      await theirs.save();
    };
    await mine.save();
    expect((await loadSession(web, jar.context(), "s")).toJSON()).toEqual({ a: 1, b: 2, c: 3 });

    const lateCtx = jar.context();
    const late = await loadSession(web, lateCtx, "s");
    late.set("d", 4);
    backend.times = 1;
    backend.other = async () => (await loadSession(other, jar.context(), "s")).destroy();
    await late.save();
    expect(lateCtx.headers.getSetCookie()).toEqual([]); // nothing was written: no cookie either
    expect((await loadSession(web, jar.context(), "s")).isNew).toBe(true);
  });

  it("give up with store_unavailable, writing nothing, when the data moves under every attempt", async () => {
    const backend = new MovingBackend(Number.POSITIVE_INFINITY);
    const { web, other } = twoProcesses(backend);
    const jar = new CookieJar();
    const ctx = jar.context();
    const created = await loadSession(web, ctx, "s");
    created.set("n", 0);
    await created.save();
    jar.absorb(ctx.headers);
    const mine = await loadSession(web, jar.context(), "s");
    mine.set("mine", true);
    let moves = 0;
    backend.other = async () => {
      const theirs = await loadSession(other, jar.context(), "s");
      theirs.set("n", ++moves);
      await theirs.save();
    };
    await expect(mine.save()).rejects.toMatchObject({ code: "store_unavailable", kind: "unavailable" });
    expect(moves).toBe(20);
    backend.other = undefined;
    expect((await loadSession(web, jar.context(), "s")).toJSON()).toEqual({ n: 20 });
  });

  it("refuse a crypto option that is neither auto nor webcrypto", () => {
    expect(() => new CookieStore({ keys, crypto: "node" as "auto" })).toThrow(expect.objectContaining({ code: "invalid_option" }));
  });
});
