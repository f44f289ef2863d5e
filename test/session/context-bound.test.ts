// A session remembers the request it was loaded for: save(), destroy() and regenerate() take no argument,
// accept the session's own context, and refuse another request's context (code wrong_context) without
// writing anything.
import { parseSetCookie } from "cookie";
import { describe, expect, it } from "vitest";
import type { FetchContext } from "../../src/http/fetch.ts";
import { sessions } from "../../src/session/manager.ts";
import { CookieStore } from "../../src/stores/cookie-store.ts";
import { MemoryStore } from "../../src/stores/memory-store.ts";
import type { Store } from "../../src/stores/store.ts";
import { CookieJar } from "../stores/cookie-jar.ts";

const hashKey = "c".repeat(32);
type Method = "save" | "destroy" | "regenerate";
const METHODS: Method[] = ["save", "destroy", "regenerate"];

describe.each([
  ["cookie", () => new CookieStore({ signedOnly: true, hashKey })],
  ["memory", () => new MemoryStore({ hashKey })],
] as [string, () => Store][])("a session of a %s store", (_label, makeStore) => {
  /**
   * A session saved by one request and loaded by the next (`ctx`), changed since; `other` is a third,
   * concurrent request carrying the same cookie.
   */
  async function loaded() {
    const store = makeStore();
    const manager = sessions("s", store);
    const jar = new CookieJar();
    const first = jar.context();
    const created = await manager.get(first);
    created.set("a", 1);
    await created.save();
    jar.absorb(first.headers);
    const ctx = jar.context();
    const other = jar.context();
    const session = await manager.get(ctx);
    session.set("b", 2);
    const backend = store instanceof MemoryStore ? store.backend : undefined;
    const stored = async () => (backend === undefined || session.id === "" ? undefined : backend.read(session.id));
    return { store, manager, jar, ctx, other, session, backend, data: await stored(), stored };
  }

  const names = (ctx: FetchContext) => ctx.headers.getSetCookie().map((line) => parseSetCookie(line));

  async function expectWritten(method: Method, call: (s: Awaited<ReturnType<typeof loaded>>) => Promise<void>): Promise<void> {
    const setup = await loaded();
    const { ctx, other, session, backend, jar } = setup;
    const before = { id: session.id, cookie: jar.cookies.get("s") };
    await call(setup);
    const lines = names(ctx);
    expect(lines).toHaveLength(1);
    expect(lines[0]?.name).toBe("s");
    expect(names(other)).toEqual([]);
    if (method === "destroy") {
      expect(lines[0]).toMatchObject({ value: "", maxAge: 0 });
      expect(session.isDestroyed).toBe(true);
      if (backend !== undefined) expect(backend.size).toBe(0);
      return;
    }
    expect(lines[0]?.maxAge).toBeGreaterThan(0);
    // A cookie session carries its values; a server session's cookie changes with its id only.
    if (backend === undefined || method === "regenerate") expect(lines[0]?.value).not.toBe(before.cookie);
    jar.absorb(ctx.headers);
    expect((await setup.manager.get(jar.context())).values()).toEqual({ a: 1, b: 2 });
    if (backend !== undefined) {
      expect(backend.size).toBe(1);
      if (method === "regenerate") expect(session.id).not.toBe(before.id);
      else expect(session.id).toBe(before.id);
    }
  }

  it.each(METHODS)("%s() with no argument writes to the session's own response", async (method) => {
    await expectWritten(method, ({ session }) => session[method]());
  });

  it.each(METHODS)("%s(ctx) with the session's own context is accepted", async (method) => {
    await expectWritten(method, ({ session, ctx }) => session[method](ctx));
  });

  it.each(METHODS)("%s(ctx) with another request's context rejects with wrong_context and writes nothing", async (method) => {
    const { ctx, other, session, backend, data, stored } = await loaded();
    const id = session.id;
    await expect(session[method](other)).rejects.toMatchObject({ code: "wrong_context" });
    expect(names(ctx)).toEqual([]);
    expect(names(other)).toEqual([]);
    expect(session.isDestroyed).toBe(false);
    expect(session.id).toBe(id);
    expect(session.isDirty).toBe(true);
    expect(session.values()).toEqual({ a: 1, b: 2 });
    if (backend !== undefined) {
      expect(backend.size).toBe(1);
      expect(await stored()).toBe(data);
    }
  });
});
