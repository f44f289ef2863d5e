// Tracked views: how a session hands out the objects it holds, so that changes in place are saved and reads
// cost nothing at save.
import { describe, expect, it } from "vitest";
import { jsonSerializer, type Serializer } from "../../src/serializers/serializers.ts";
import { sessions } from "../../src/session/manager.ts";
import { MemoryStore } from "../../src/stores/memory-store.ts";
import { CookieJar } from "../stores/cookie-jar.ts";

const hashKey = "v".repeat(32);

/** A session saved with `values`, then loaded by a second request: the request's session and its context. */
async function loaded(values: Record<string, unknown>) {
  const manager = sessions("views", new MemoryStore({ hashKey }));
  const jar = new CookieJar();
  const first = jar.context();
  const created = await manager.get(first);
  for (const [key, value] of Object.entries(values)) created.set(key, value);
  await created.save();
  jar.absorb(first.headers);
  const ctx = jar.context();
  const session = await manager.get(ctx);
  const next = async () => {
    jar.absorb(ctx.headers);
    return manager.get(jar.context());
  };
  return { session, ctx, next };
}

describe("tracked views", () => {
  it("are arrays and objects to the handler: identity across reads, Array.isArray, JSON, spreading", async () => {
    const { session } = await loaded({ cart: [{ sku: "x", qty: 1 }], prefs: { theme: "dark" } });
    const cart = session.get("cart") as { sku: string; qty: number }[];
    expect(session.get("cart")).toBe(cart);
    expect(Array.isArray(cart)).toBe(true);
    expect(cart[0]).toBe(cart[0]);
    expect(JSON.stringify(cart)).toBe('[{"sku":"x","qty":1}]');
    expect([...cart]).toEqual([{ sku: "x", qty: 1 }]);
    expect({ ...(session.get("prefs") as object) }).toEqual({ theme: "dark" });
    expect(Object.keys(session.get("prefs") as object)).toEqual(["theme"]);
  });

  it("cost nothing at save when nothing is written: no snapshot, no Set-Cookie", async () => {
    const { session, ctx } = await loaded({ cart: [{ sku: "x", qty: 1 }] });
    const cart = session.get("cart") as { sku: string; qty: number }[];
    expect(cart.map((item) => item.qty)).toEqual([1]);
    expect(session.isDirty).toBe(false);
    await session.save();
    expect(ctx.headers.getSetCookie()).toEqual([]);
  });

  it("save writes at any depth: nested set, delete, push, splice, sort", async () => {
    const { session, next } = await loaded({ doc: { list: [3, 1, 2], meta: { a: 1, b: 2 } } });
    const doc = session.get("doc") as { list: number[]; meta: Record<string, number> };
    doc.list.sort();
    doc.list.push(4);
    doc.list.splice(0, 1);
    delete doc.meta["a"];
    doc.meta["c"] = 3;
    expect(session.isDirty).toBe(true);
    await session.save();
    expect((await next()).get("doc")).toEqual({ list: [2, 3, 4], meta: { b: 2, c: 3 } });
  });

  it("serialize nothing for a read, and only the written key for a write", async () => {
    let serialized: string[] = [];
    const counting: Serializer = {
      ...jsonSerializer,
      stringify: (value) => {
        const text = (jsonSerializer.stringify as (v: unknown) => string)(value);
        serialized.push(text);
        return text;
      },
    };
    const manager = sessions("views", new MemoryStore({ hashKey }), { serializer: counting });
    const jar = new CookieJar();
    const first = jar.context();
    const created = await manager.get(first);
    created.set("cart", [{ sku: "x" }]).set("other", { n: 1 });
    await created.save();
    jar.absorb(first.headers);
    serialized = [];
    const session = await manager.get(jar.context());
    const cart = session.get("cart") as { sku: string }[];
    expect(cart[0]?.sku).toBe("x");
    expect(session.get("other")).toEqual({ n: 1 });
    await session.save();
    expect(serialized).toEqual([]);
    cart.push({ sku: "y" });
    expect(serialized.map((text) => text.trim())).toEqual(['{"cart":[{"sku":"x"}]}']); // the key's snapshot, taken before the write
  });

  it("a write that leaves the value as it was writes nothing", async () => {
    const { session, ctx } = await loaded({ cart: [{ sku: "x", qty: 1 }] });
    const cart = session.get("cart") as { sku: string; qty: number }[];
    (cart[0] as { qty: number }).qty = 1;
    cart.length = 1;
    await session.save();
    expect(ctx.headers.getSetCookie()).toEqual([]);
  });

  it("store what they stand for, not themselves: set(view), push(view), and structuredClone of values()", async () => {
    const { session, next } = await loaded({ a: { n: 1 }, list: [] });
    const a = session.get("a") as { n: number };
    session.set("b", a);
    (session.get("list") as unknown[]).push(a);
    const values = session.values();
    expect(() => structuredClone(values)).not.toThrow();
    await session.save();
    const after = await next();
    expect(after.get("b")).toEqual({ n: 1 });
    expect(after.get("list")).toEqual([{ n: 1 }]);
  });

  it("hand out Maps, Sets and Dates inside objects as they are, and still see their changes", async () => {
    const { session, next } = await loaded({ doc: { seen: new Map([["/", 1]]), tags: new Set(["a"]), at: new Date(0) } });
    const doc = session.get("doc") as { seen: Map<string, number>; tags: Set<string>; at: Date };
    expect(doc.seen).toBeInstanceOf(Map);
    doc.seen.set("/cart", 2);
    doc.tags.add("b");
    doc.at.setTime(1000);
    await session.save();
    expect((await next()).get("doc")).toEqual({ seen: new Map([["/", 1], ["/cart", 2]]), tags: new Set(["a", "b"]), at: new Date(1000) });
  });

  it("see a change made after a first save of the same request", async () => {
    const { session, next } = await loaded({ cart: [1] });
    const cart = session.get("cart") as number[];
    cart.push(2);
    await session.save();
    cart.push(3);
    await session.save();
    expect((await next()).get("cart")).toEqual([1, 2, 3]);
  });

  it("leave frozen values as they are", async () => {
    const { session } = await loaded({});
    session.set("frozen", Object.freeze({ list: Object.freeze([1]) }));
    await session.save();
    const frozen = session.get("frozen") as { list: readonly number[] };
    expect(Object.isFrozen(frozen)).toBe(true);
    expect(frozen.list).toEqual([1]);
  });
});
