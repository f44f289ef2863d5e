import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type FetchContext, fetchContext } from "../../src/http/fetch.ts";
import { type SessionState, bind, freshState, needsSave } from "../../src/session/lifecycle.ts";
import type { Session } from "../../src/session/session.ts";
import { SessionObject } from "../../src/session/session-object.ts";
import type { SessionConfig } from "../../src/session/session-config.ts";
import { CookieStore } from "../../src/stores/cookie-store.ts";

/** The store's clock, in Unix seconds: saves stamp `accessedAt` with it. */
let clock = 1000;
const store = new CookieStore({ signedOnly: true, hashKey: "k".repeat(32), now: () => clock });

/** The state of a session holding `values`, created and last saved at 1000 (loaded, unless `isNew`), bound to its own request. */
function makeState(values: Record<string, unknown> = {}, config: SessionConfig = {}, isNew = false): SessionState {
  clock = 1000;
  const state = freshState(bind("s", store, config), fetchContext(new Request("http://127.0.0.1/")));
  state.values = new Map(Object.entries(values));
  state.isNew = isNew;
  return state;
}

function makeSession(values: Record<string, unknown> = {}, config: SessionConfig = {}, isNew = false): Session {
  return new SessionObject(makeState(values, config, isNew));
}

describe("Session values", () => {
  it("gets, sets, deletes and clears values and lists keys in insertion order", () => {
    const session = makeSession();
    session.set("a", 1).set("b", "two");
    expect(session.keys()).toEqual(["a", "b"]);
    expect(session.has("a")).toBe(true);
    expect(session.delete("a")).toBe(true);
    expect(session.delete("a")).toBe(false);
    expect(session.values()).toEqual({ b: "two" });
    session.clear();
    expect(session.keys()).toEqual([]);
    expect(JSON.stringify(session)).toBe("{}");
  });

  it("treats set(key, undefined) as delete", () => {
    const session = makeSession({ a: 1 });
    session.set("a", undefined);
    expect(session.has("a")).toBe(false);
  });
});

describe("Session typed getters", () => {
  const session = makeSession({ s: "text", i: 42, f: 1.5, b: true, is: "17", fs: "2.5", bs: "false", n: null, nan: Number.NaN });

  it.each([
    ["getString", "s", "text"],
    ["getInt", "i", 42],
    ["getInt", "is", 17],
    ["getNumber", "f", 1.5],
    ["getNumber", "fs", 2.5],
    ["getNumber", "i", 42],
    ["getBoolean", "b", true],
    ["getBoolean", "bs", false],
  ] as const)("%s(%s) reads %s", (method, key, expected) => {
    expect((session[method] as (key: string) => unknown)(key)).toBe(expected);
  });

  it("returns the default (or undefined) for a missing key", () => {
    expect(session.getString("missing")).toBeUndefined();
    expect(session.getString("missing", "fallback")).toBe("fallback");
    expect(session.getInt("missing", 7)).toBe(7);
    expect(session.getBoolean("missing", false)).toBe(false);
  });

  it.each([
    ["getString", "i"],
    ["getInt", "f"],
    ["getInt", "s"],
    ["getInt", "nan"],
    ["getNumber", "s"],
    ["getNumber", "nan"],
    ["getNumber", "n"],
    ["getBoolean", "s"],
  ] as const)("%s(%s) on a wrong type throws wrong_value_type without a default", (method, key) => {
    expect(() => (session[method] as (key: string) => unknown)(key)).toThrow(expect.objectContaining({ code: "wrong_value_type" }));
  });

  it("names the stored value's type in wrong_value_type, never the value (it may be a secret)", () => {
    session.set("token", "kP3x9Q_SECRET_TOKEN");
    expect(() => session.getInt("token")).toThrow(/holds a string of 19 characters under "token"/);
    expect(() => session.getInt("token")).not.toThrow(/SECRET/);
    session.delete("token");
  });

  it("returns the default for a wrong type when one is given", () => {
    expect(session.getInt("s", 5)).toBe(5);
    expect(session.getString("i", "x")).toBe("x");
    expect(session.getNumber("nan", 0)).toBe(0);
  });

  it("never returns NaN from getInt or getNumber", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.double(), fc.integer(), fc.boolean(), fc.constant(null)), (value) => {
        const s = makeSession({ v: value });
        for (const read of [() => s.getInt("v", 0), () => s.getNumber("v", 0)]) expect(Number.isNaN(read())).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});

describe("Session counters", () => {
  it("increments from zero and decrements", () => {
    const session = makeSession();
    expect(session.increment("n")).toBe(1);
    expect(session.increment("n", 5)).toBe(6);
    expect(session.decrement("n", 2)).toBe(4);
    expect(session.get("n")).toBe(4);
  });

  it("refuses to count a non-number", () => {
    const session = makeSession({ n: "3" });
    expect(() => session.increment("n")).toThrow(expect.objectContaining({ code: "wrong_value_type" }));
  });
});

describe("Session flashes", () => {
  it("returns flashes once and peeks without removing", () => {
    const session = makeSession();
    session.addFlash("a");
    session.addFlash({ b: 1 });
    expect(session.peekFlashes()).toEqual(["a", { b: 1 }]);
    expect(session.flashes()).toEqual(["a", { b: 1 }]);
    expect(session.flashes()).toEqual([]);
    expect(session.has("_flash")).toBe(false);
  });

  it("keeps custom flash keys apart", () => {
    const session = makeSession();
    session.addFlash("x", "errors");
    expect(session.flashes()).toEqual([]);
    expect(session.flashes("errors")).toEqual(["x"]);
  });
});

describe("Session dirty tracking", () => {
  it("is clean when loaded, dirty after a change, clean after a save", async () => {
    const state = makeState({ a: 1 });
    const session = new SessionObject(state);
    const response = (state.context as FetchContext).headers;
    expect(session.isDirty).toBe(false);
    expect(needsSave(state, 1000)).toBe(false);
    await session.save(); // a save with nothing to write sets no cookie
    expect(response.getSetCookie()).toEqual([]);
    session.set("a", 2);
    expect(session.isDirty).toBe(true);
    clock = 1001;
    await session.save();
    expect(response.getSetCookie()).toHaveLength(1);
    expect(session.isDirty).toBe(false);
    expect(session.accessedAt).toBe(1001);
  });

  it("counts option changes, markDirty and reading flashes as changes, but not reads", async () => {
    const session = makeSession({ a: 1, _flash: ["x"] });
    session.get("a");
    session.peekFlashes();
    expect(session.isDirty).toBe(false);
    session.cookie.maxAge = 0;
    expect(session.isDirty).toBe(true);
    await session.save();
    session.flashes();
    expect(session.isDirty).toBe(true);
    await session.save();
    session.markDirty();
    expect(session.isDirty).toBe(true);
  });

  it("does not count deleting a missing key or clearing an empty session", () => {
    const session = makeSession();
    session.delete("nothing");
    session.clear();
    expect(session.isDirty).toBe(false);
  });

  it("always needs saving when loaded and rolling", () => {
    expect(needsSave(makeState({}, { rolling: true }), 1000)).toBe(true);
  });

  it("saves a new session only once it holds a value, was forced, or saveUninitialized is on", () => {
    expect(needsSave(makeState({}, {}, true), 1000)).toBe(false);
    expect(needsSave(makeState({}, { rolling: true, idleTimeout: 10 }, true), 5000)).toBe(false);
    const withOptions = makeState({}, {}, true);
    const withOptionsSession = new SessionObject(withOptions);
    withOptionsSession.cookie.maxAge = 0;
    withOptionsSession.cookie.path = "/app";
    expect(needsSave(withOptions, 1000)).toBe(false);
    const setThenDeleted = makeState({}, {}, true);
    new SessionObject(setThenDeleted).set("a", 1).delete("a");
    expect(needsSave(setThenDeleted, 1000)).toBe(false);
    const flashed = makeState({}, {}, true);
    new SessionObject(flashed).addFlash("hi");
    expect(needsSave(flashed, 1000)).toBe(true);
    const forced = makeState({}, {}, true);
    new SessionObject(forced).markDirty();
    expect(needsSave(forced, 1000)).toBe(true);
    expect(needsSave(makeState({}, { saveUninitialized: true }, true), 1000)).toBe(true);
  });

  it("needs a refresh once a tenth of the idle timeout has passed", () => {
    const state = makeState({}, { idleTimeout: 100 });
    expect(needsSave(state, 1009)).toBe(false);
    expect(needsSave(state, 1010)).toBe(true);
  });

  it("keeps metadata out of the values", () => {
    const session = makeSession({ a: 1 });
    expect(session.values()).toEqual({ a: 1 });
    expect(session.createdAt).toBe(1000);
  });
});
