import { describe, expect, it } from "vitest";
import { ObjectSlot } from "../../src/internal/object-slot.ts";
import { sessions } from "../../src/session/manager.ts";
import { type NodeResponseLike, nodeContext } from "../../src/http/node.ts";
import { MemoryStore } from "../../src/stores/memory-store.ts";

describe("ObjectSlot", () => {
  it("attaches a value to an object, replaces it, and keeps slots apart", () => {
    const a = new ObjectSlot<string>("a");
    const b = new ObjectSlot<string>("b");
    const owner = {};
    expect(a.get(owner)).toBeUndefined();
    a.set(owner, "one");
    b.set(owner, "other");
    expect(a.get(owner)).toBe("one");
    a.set(owner, "two");
    expect(a.get(owner)).toBe("two");
    expect(b.get(owner)).toBe("other");
    expect(a.get({})).toBeUndefined();
  });

  it("answers undefined before any value was set, then finds values set on any owner", () => {
    const slot = new ObjectSlot<number>("test.empty");
    const owner = {};
    expect(slot.get(owner)).toBeUndefined();
    expect(slot.get(Object.freeze({}))).toBeUndefined();
    slot.set(owner, 1);
    expect(slot.get(owner)).toBe(1);
    expect(slot.get({})).toBeUndefined();
    const frozen = Object.freeze({});
    slot.set(frozen, 2);
    expect(slot.get(frozen)).toBe(2);
  });

  it("is invisible to keys, symbols, JSON, spreads and Object.assign", () => {
    const slot = new ObjectSlot<object>("hidden");
    const owner: Record<string, unknown> = { x: 1 };
    slot.set(owner, { secret: true });
    expect(Object.keys(owner)).toEqual(["x"]);
    expect(JSON.stringify(owner)).toBe('{"x":1}');
    expect(slot.get({ ...owner })).toBeUndefined();
    expect(slot.get(Object.assign({}, owner))).toBeUndefined();
    expect(Object.getOwnPropertySymbols(owner)).toHaveLength(0);
    expect(Reflect.ownKeys(owner)).toEqual(["x"]);
  });

  it("counts only the object's own slot, not one on its prototype", () => {
    const slot = new ObjectSlot<string>("own");
    const parent = {};
    slot.set(parent, "parent");
    const child = Object.create(parent) as object;
    expect(slot.get(child)).toBeUndefined();
    slot.set(child, "child");
    expect(slot.get(child)).toBe("child");
    expect(slot.get(parent)).toBe("parent");
  });

  it("keeps values on frozen, sealed and non-extensible objects and refusing proxies (a WeakMap where the runtime refuses a private field)", () => {
    const slot = new ObjectSlot<number>("fallback");
    const owners = [
      Object.freeze({}),
      Object.seal({}),
      Object.preventExtensions({}),
      new Proxy({}, { defineProperty: () => false }),
    ];
    owners.forEach((owner, index) => slot.set(owner, index + 1));
    owners.forEach((owner, index) => expect(slot.get(owner)).toBe(index + 1));
    expect(slot.get({})).toBeUndefined();
  });

  it("takes a new value after the owner was frozen with an old one", () => {
    const slot = new ObjectSlot<string>("refrozen");
    const owner = {};
    slot.set(owner, "before");
    Object.freeze(owner);
    slot.set(owner, "after");
    expect(slot.get(owner)).toBe("after");
  });

  it("keeps one registry per request and one node context per response, on frozen requests too", async () => {
    const counter = sessions("slot_counter", new MemoryStore({ hashKey: "s".repeat(32) }));
    const res = { headersSent: false, getHeader: () => undefined, setHeader: () => res } as unknown as NodeResponseLike;
    for (const req of [{ headers: {} }, Object.freeze({ headers: {} })]) {
      const ctx = nodeContext(req, res);
      expect(nodeContext(req, res)).toBe(ctx);
      const first = await counter.get(ctx);
      expect(await counter.get(nodeContext(req, res))).toBe(first);
      expect(await counter.get(nodeContext({ headers: {} }, res))).not.toBe(first);
    }
  });
});
