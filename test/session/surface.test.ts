// What a handler can reach from the session object it is given: values, flashes, cookie attributes, save /
// destroy / regenerate. The lifecycle's and stores' protocol is not reachable from it.
import { describe, expect, expectTypeOf, it } from "vitest";
import { fetchContext } from "../../src/http/fetch.ts";
import { sessions } from "../../src/session/manager.ts";
import type { Session } from "../../src/session/session.ts";
import { CookieStore } from "../../src/stores/cookie-store.ts";
import { MemoryStore } from "../../src/stores/memory-store.ts";

const PROTOCOL = ["needsSave", "markSaved", "markDestroyed", "replaceValues", "store", "config", "state", "storedId", "binding", "context"];

describe("a handler's session object", () => {
  it.each([
    ["cookie", () => new CookieStore({ signedOnly: true, hashKey: "k".repeat(32) })],
    ["memory", () => new MemoryStore({ hashKey: "k".repeat(32) })],
  ])("exposes no store-protocol member (%s store)", async (_label, makeStore) => {
    const session = await sessions("s", makeStore()).get(fetchContext(new Request("http://127.0.0.1/")));
    const reachable = new Set<string>();
    for (let o: object | null = session; o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
      for (const key of Reflect.ownKeys(o)) reachable.add(String(key));
    }
    for (const name of PROTOCOL) expect(reachable.has(name), name).toBe(false);
    expect(Object.keys(session)).toEqual([]);
  });

  it("types no store-protocol member", () => {
    expectTypeOf<Session>().not.toHaveProperty("needsSave");
    expectTypeOf<Session>().not.toHaveProperty("markSaved");
    expectTypeOf<Session>().not.toHaveProperty("markDestroyed");
    expectTypeOf<Session>().not.toHaveProperty("replaceValues");
    expectTypeOf<Session>().not.toHaveProperty("store");
    expectTypeOf<Session>().toHaveProperty("save");
    // The id is the store's to assign.
    expectTypeOf<Session["id"]>().toEqualTypeOf<string>();
    const assign = (session: Session) => {
      // @ts-expect-error id is read-only
      session.id = "x";
    };
    expect(assign).toBeTypeOf("function");
  });
});
