// Loads and saves that the store answers at once (node:crypto's cookie store) settle without a promise per
// layer; these are the guarantees that must hold either way, on the synchronous and the asynchronous path.
import { describe, expect, it } from "vitest";
import { SessionError } from "../../src/errors.ts";
import { fetchContext } from "../../src/http/fetch.ts";
import { sessions } from "../../src/session/manager.ts";
import { CookieStore } from "../../src/stores/cookie-store.ts";
import type { PreparedWrite, RecordWrite } from "../../src/stores/store.ts";
import { user } from "../../schemas/user.gen.ts";

const hashKey = "s".repeat(32);
const down = () => new SessionError("store_unavailable", "the test store is down; retry.");

/** A cookie store whose load fails with `store_unavailable`, at once or as a rejected promise, counting calls. */
class FailingStore extends CookieStore {
  loads = 0;
  constructor(readonly asynchronous: boolean) {
    super({ signedOnly: true, hashKey });
  }
  override load(): never {
    this.loads++;
    if (this.asynchronous) return Promise.reject(down()) as never;
    throw down();
  }
}

const withCookie = (cookie: string) => new Request("http://127.0.0.1/", { headers: { cookie } });

describe("loads and saves that settle at once", () => {
  /** Runs `body`, returning the rejections Node reported unhandled meanwhile (and a little after). */
  async function unhandledDuring(body: () => Promise<void>): Promise<unknown[]> {
    const unhandled: unknown[] = [];
    const note = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", note);
    try {
      await body();
      await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      process.off("unhandledRejection", note);
    }
    return unhandled;
  }

  for (const asynchronous of [false, true]) {
    it(`leaves a failed typed load ${asynchronous ? "(a rejected promise)" : "(thrown at once)"} handled until awaited, and uncached`, async () => {
      const store = new FailingStore(asynchronous);
      const manager = user.sessions(store);
      const ctx = fetchContext(withCookie(`${manager.name}=anything`));
      const unhandled = await unhandledDuring(async () => {
        const first = manager.get(ctx);
        const second = manager.get(ctx);
        await new Promise((resolve) => setTimeout(resolve, 20));
        await expect(first).rejects.toMatchObject({ code: "store_unavailable" });
        await expect(second).rejects.toMatchObject({ code: "store_unavailable" });
      });
      expect(unhandled).toEqual([]);
      expect(store.loads).toBe(asynchronous ? 1 : 2); // a pending load is shared; a failed one is not kept
    });
  }

  it("hands out one typed session promise per request, as the untyped manager does", async () => {
    const manager = user.sessions(new CookieStore({ signedOnly: true, hashKey }));
    const ctx = fetchContext(new Request("http://127.0.0.1/"));
    const [a, b] = [manager.get(ctx), manager.get(ctx)];
    expect(a).toBe(b);
    expect(await a).toBe(await manager.get(fetchContext((ctx as { request: Request }).request)));
  });

  it("marks the other failures of get() handled too: a foreign source, two stores under one name", async () => {
    const one = sessions("clash", new CookieStore({ signedOnly: true, hashKey }));
    const two = sessions("clash", new CookieStore({ signedOnly: true, hashKey }));
    const ctx = fetchContext(new Request("http://127.0.0.1/"));
    await one.get(ctx);
    const unhandled = await unhandledDuring(async () => {
      const clash = two.get(ctx);
      const foreign = one.get({} as never);
      const nothing = one.get(null as never);
      await new Promise((resolve) => setTimeout(resolve, 20));
      await expect(clash).rejects.toMatchObject({ code: "invalid_option" });
      await expect(foreign).rejects.toMatchObject({ code: "missing_middleware" });
      await expect(nothing).rejects.toMatchObject({ code: "missing_middleware" });
    });
    expect(unhandled).toEqual([]);
  });

  for (const asynchronous of [false, true]) {
    it(`leaves a failed load ${asynchronous ? "(a rejected promise)" : "(thrown at once)"} handled until awaited, and uncached`, async () => {
      const store = new FailingStore(asynchronous);
      const failing = sessions("failing", store);
      const ctx = fetchContext(withCookie("failing=anything"));
      const unhandled: unknown[] = [];
      const note = (reason: unknown) => unhandled.push(reason);
      process.on("unhandledRejection", note);
      try {
        const pending = failing.get(ctx); // started now, awaited later (after other work)
        await new Promise((resolve) => setTimeout(resolve, 20));
        await expect(pending).rejects.toMatchObject({ code: "store_unavailable" });
        await expect(failing.get(ctx)).rejects.toMatchObject({ code: "store_unavailable" });
        await new Promise((resolve) => setTimeout(resolve, 20));
      } finally {
        process.off("unhandledRejection", note);
      }
      expect(unhandled).toEqual([]);
      expect(store.loads).toBe(2); // the failure was not cached: the second get loaded again
    });
  }

  it("takes a store's commit that answers with a plain boolean or a thenable, as await did", async () => {
    for (const answer of [() => true, () => ({ then: (resolve: (ok: boolean) => void) => resolve(true) })]) {
      const store = new (class extends CookieStore {
        override prepare(write: RecordWrite): PreparedWrite {
          const prepared = super.prepare(write) as PreparedWrite;
          return { ...prepared, commit: answer as unknown as () => Promise<boolean> };
        }
      })({ signedOnly: true, hashKey });
      const counter = sessions("committed", store);
      const ctx = fetchContext(new Request("http://127.0.0.1/"));
      const session = await counter.get(ctx);
      session.set("n", 1);
      await expect(session.save()).resolves.toBeUndefined();
      expect(session.isNew).toBe(false);
      expect(ctx.headers.getSetCookie()).toHaveLength(1);
    }
  });

  it("refuses a source that is not an object as missing middleware, not a TypeError", async () => {
    const plain = sessions("plain", new CookieStore({ signedOnly: true, hashKey }));
    await expect(plain.get("not a request" as never)).rejects.toMatchObject({ code: "missing_middleware" });
  });
});
