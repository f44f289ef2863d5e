import { describe, expect, it } from "vitest";
import { SessionError, SessionValidationError } from "../../src/errors.ts";
import { fetchContext } from "../../src/http/fetch.ts";
import { saveAll, sessions } from "../../src/session/manager.ts";
import { clearAll } from "../../src/stores/live-stores.ts";
import { CookieStore } from "../../src/stores/cookie-store.ts";
import { MemoryStore } from "../../src/stores/memory-store.ts";
import { CookieJar } from "../stores/cookie-jar.ts";

const hashKey = "r".repeat(32);

describe("registry", () => {
  it("returns the same session object for every get in one request, even concurrent ones", async () => {
    const s = sessions("reg", new CookieStore({ signedOnly: true, hashKey }));
    const request = new Request("http://127.0.0.1/");
    const ctx = fetchContext(request);
    const [a, b] = await Promise.all([s.get(ctx), s.get(ctx)]);
    expect(a).toBe(b);
    expect(await s.get(fetchContext(request))).toBe(a); // another context for the same request
    expect(await s.get(fetchContext(new Request("http://127.0.0.1/")))).not.toBe(a);
  });

  it("saves many sessions in different stores with saveAll, skipping destroyed and unchanged ones", async () => {
    const cookie = sessions("in_cookie", new CookieStore({ signedOnly: true, hashKey }));
    const memory = sessions("in_memory", new MemoryStore({ hashKey }));
    const untouched = sessions("untouched", new CookieStore({ signedOnly: true, hashKey }));
    const destroyed = sessions("destroyed", new CookieStore({ signedOnly: true, hashKey }));
    const jar = new CookieJar();
    const first = jar.context();
    (await untouched.get(first)).set("u", 0);
    await saveAll(first);
    jar.absorb(first.headers);
    const ctx = jar.context();
    (await cookie.get(ctx)).set("a", 1);
    (await memory.get(ctx)).set("b", 2);
    const gone = await destroyed.get(ctx);
    gone.set("c", 3);
    await gone.destroy();
    const idle = await untouched.get(ctx);
    expect(idle.isNew).toBe(false); // loaded and unchanged
    await saveAll(ctx);
    const names = ctx.headers.getSetCookie().map((line) => line.split("=")[0]);
    expect(names).toEqual(["destroyed", "in_cookie", "in_memory"]);
  });

  it("keeps each session of a request apart while failed loads come and go", async () => {
    class DownStore extends CookieStore {
      loads = 0;
      override load(): never {
        this.loads++;
        return Promise.reject(new SessionError("store_unavailable", "the test store is down; retry.")) as never;
      }
    }
    const down = new DownStore({ signedOnly: true, hashKey });
    const failing = sessions("failing", down);
    const good = sessions("good", new CookieStore({ signedOnly: true, hashKey }));
    const other = sessions("other", new MemoryStore({ hashKey }));
    const ctx = fetchContext(new Request("http://127.0.0.1/", { headers: { cookie: "failing=anything" } }));
    await expect(failing.get(ctx)).rejects.toMatchObject({ code: "store_unavailable" }); // the first session, dropped
    const first = await good.get(ctx);
    const second = await other.get(ctx);
    await expect(failing.get(ctx)).rejects.toMatchObject({ code: "store_unavailable" }); // loaded again, dropped again
    expect(down.loads).toBe(2);
    expect(await good.get(ctx)).toBe(first);
    expect(await other.get(ctx)).toBe(second);
    first.set("a", 1);
    second.set("b", 2);
    await saveAll(ctx);
    expect(ctx.headers.getSetCookie().map((line) => line.split("=")[0]).sort()).toEqual(["good", "other"]);
  });

  it("refuses two stores under one session name in one request", async () => {
    const ctx = fetchContext(new Request("http://127.0.0.1/"));
    await sessions("dup", new CookieStore({ signedOnly: true, hashKey })).get(ctx);
    await expect(sessions("dup", new CookieStore({ signedOnly: true, hashKey })).get(ctx)).rejects.toMatchObject({ code: "invalid_option" });
  });
});

describe("validate", () => {
  async function savedJar(values: Record<string, unknown>, store: CookieStore): Promise<CookieJar> {
    const jar = new CookieJar();
    const ctx = jar.context();
    const session = await sessions("v", store).get(ctx);
    for (const [key, value] of Object.entries(values)) session.set(key, value);
    await session.save();
    jar.absorb(ctx.headers);
    return jar;
  }
  const validate = (values: Record<string, unknown>): Record<string, unknown> => {
    if (typeof values["age"] !== "number") {
      throw new SessionValidationError("age must be a number", [{ path: "age", message: "Expected number", code: "invalid_type" }]);
    }
    return { ...values, role: values["role"] ?? "guest" };
  };

  it("applies the values validate returns, without marking the session changed", async () => {
    const store = new CookieStore({ signedOnly: true, hashKey });
    const jar = await savedJar({ age: 30 }, store);
    const session = await sessions("v", store, { validate }).get(jar.context());
    expect(session.values()).toEqual({ age: 30, role: "guest" });
    expect(session.isDirty).toBe(false);
  });

  it("resets to a fresh session and reports the error by default", async () => {
    const store = new CookieStore({ signedOnly: true, hashKey });
    const jar = await savedJar({ age: "old" }, store);
    const reported: unknown[] = [];
    const session = await sessions("v", store, { validate, onError: (err, info) => reported.push([err.code, info.phase]) }).get(jar.context());
    expect(session.isNew).toBe(true);
    expect(session.keys()).toEqual([]);
    expect(reported).toEqual([["invalid_session_data", "validate"]]);
  });

  it("reports a reset to the store's onError too, once each", async () => {
    const fromStore: unknown[] = [];
    const fromConfig: unknown[] = [];
    const store = new CookieStore({ signedOnly: true, hashKey, onError: (err, info) => fromStore.push([err.code, info.phase]) });
    const jar = await savedJar({ age: "old" }, store);
    const config = { validate, onError: (err: { code: string }) => void fromConfig.push(err.code) };
    expect((await sessions("v", store, config).get(jar.context())).isNew).toBe(true);
    expect(fromStore).toEqual([["invalid_session_data", "validate"]]);
    expect(fromConfig).toEqual(["invalid_session_data"]);
  });

  it("rethrows with onInvalid: throw", async () => {
    const store = new CookieStore({ signedOnly: true, hashKey });
    const jar = await savedJar({ age: "old" }, store);
    await expect(sessions("v", store, { validate, onInvalid: "throw" }).get(jar.context())).rejects.toMatchObject({
      code: "invalid_session_data",
      issues: [{ path: "age", code: "invalid_type" }],
    });
  });

  it("does not validate new sessions", async () => {
    const session = await sessions("v", new CookieStore({ signedOnly: true, hashKey }), { validate }).get(new CookieJar().context());
    expect(session.isNew).toBe(true);
  });
});

describe("clearAll", () => {
  it("empties every server-side store in the process and leaves cookie sessions alone", async () => {
    const memory = new MemoryStore({ hashKey });
    const other = new MemoryStore({ hashKey });
    const jar = new CookieJar();
    const ctx = jar.context();
    for (const [name, store] of [["m1", memory], ["m2", other]] as const) {
      const session = await sessions(name, store).get(ctx);
      session.set("a", 1);
      await session.save();
    }
    jar.absorb(ctx.headers);
    expect(memory.backend.size + other.backend.size).toBe(2);
    await clearAll();
    expect(memory.backend.size + other.backend.size).toBe(0);
    expect((await sessions("m1", memory).get(jar.context())).isNew).toBe(true);
    await memory.close();
    await other.close();
  });
});
