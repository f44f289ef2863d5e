// Property tests (fast-check): random in-place mutations of random stored data always round-trip — the next
// request sees exactly the mutated value — and a request that mutates nothing writes nothing.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { jsonSerializer } from "../../src/serializers/serializers.ts";
import { sessions } from "../../src/session/manager.ts";
import { CookieStore } from "../../src/stores/cookie-store.ts";
import { MemoryStore } from "../../src/stores/memory-store.ts";
import type { Store } from "../../src/stores/store.ts";
import { user } from "../../schemas/user.gen.ts";
import { CookieJar } from "../stores/cookie-jar.ts";

const hashKey = "p".repeat(32);
const blockKey = "P".repeat(32);
const STORES: [string, () => Store][] = [
  ["cookie", () => new CookieStore({ hashKey, blockKey, maxLength: 0 })],
  ["memory", () => new MemoryStore({ hashKey })],
];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Container = Json[] | { [key: string]: Json };

/** Every array and object in `tree`, depth first: the same order for two trees of the same shape. */
function containers(tree: Json, out: Container[] = []): Container[] {
  if (tree !== null && typeof tree === "object") {
    out.push(tree);
    for (const child of Array.isArray(tree) ? tree : Object.values(tree)) containers(child, out);
  }
  return out;
}

/** One mutation, by position: which container, what to do, with which key and value. */
interface Mutation {
  readonly at: number;
  readonly op: "set" | "delete" | "push" | "pop";
  readonly key: string;
  readonly index: number;
  readonly value: Json;
}

function apply(tree: Json, m: Mutation): void {
  const all = containers(tree);
  const target = all[m.at % all.length];
  if (target === undefined) return;
  if (Array.isArray(target)) {
    if (m.op === "push") target.push(structuredClone(m.value));
    else if (m.op === "pop" || m.op === "delete") target.pop();
    else if (target.length > 0) target[m.index % target.length] = structuredClone(m.value);
    else target.push(structuredClone(m.value));
  } else if (m.op === "delete" || m.op === "pop") {
    const keys = Object.keys(target);
    const key = keys[m.index % Math.max(1, keys.length)];
    if (key !== undefined) delete target[key];
  } else {
    target[m.key] = structuredClone(m.value);
  }
}

const json = fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.parse(JSON.stringify(value)) as Json);
const root = fc.dictionary(fc.string({ maxLength: 6 }).filter((k) => k !== "__proto__"), json, { minKeys: 1, maxKeys: 4 });
const mutation = fc.record({
  at: fc.nat(),
  op: fc.constantFrom("set", "delete", "push", "pop") as fc.Arbitrary<Mutation["op"]>,
  key: fc.string({ maxLength: 6 }).filter((k) => k !== "__proto__"),
  index: fc.nat(),
  value: json,
});

describe.each(STORES)("in-place mutations through a %s store", (_label, makeStore) => {
  it("round-trip for random JSON data and random mutations (untyped, json serializer)", async () => {
    await fc.assert(
      fc.asyncProperty(root, fc.array(mutation, { minLength: 0, maxLength: 6 }), async (data, mutations) => {
        const s = sessions("prop", makeStore(), { serializer: jsonSerializer });
        const jar = new CookieJar();
        const run = async (fn: (ctx: ReturnType<CookieJar["context"]>) => Promise<void>): Promise<Headers> => {
          const ctx = jar.context();
          await fn(ctx);
          jar.absorb(ctx.headers);
          return ctx.headers;
        };
        await run(async (ctx) => {
          const session = await s.get(ctx);
          session.set("data", structuredClone(data));
          await session.save();
        });
        const model = structuredClone(data) as Json;
        const headers = await run(async (ctx) => {
          const session = await s.get(ctx);
          const live = session.get("data") as Json;
          for (const m of mutations) {
            apply(live, m);
            apply(model, m);
          }
          await session.save();
        });
        const changed = JSON.stringify(model) !== JSON.stringify(data);
        expect(headers.getSetCookie().length).toBe(changed ? 1 : 0);
        await run(async (ctx) => {
          expect((await s.get(ctx)).get("data")).toEqual(model);
        });
      }),
      { numRuns: 60 },
    );
  });

  const item = fc.record({ sku: fc.stringMatching(/^[A-Za-z0-9-]{1,8}$/), qty: fc.integer({ min: 1, max: 99 }) });
  const cartOp = fc.oneof(
    fc.record({ kind: fc.constant("push" as const), item }),
    fc.record({ kind: fc.constant("qty" as const), index: fc.nat(), qty: fc.integer({ min: 1, max: 99 }) }),
    fc.record({ kind: fc.constant("remove" as const), index: fc.nat() }),
  );
  type CartItem = { sku: string; qty: number };
  type CartOp = { kind: "push"; item: CartItem } | { kind: "qty"; index: number; qty: number } | { kind: "remove"; index: number };
  const applyCart = (cart: CartItem[], op: CartOp): void => {
    if (op.kind === "push") cart.push({ ...op.item });
    else if (cart.length === 0) return;
    else if (op.kind === "qty") (cart[op.index % cart.length] as CartItem).qty = op.qty;
    else cart.splice(op.index % cart.length, 1);
  };

  it("round-trip for random schema-valid carts and random valid mutations (typed)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(item, { maxLength: 4 }), fc.array(cartOp, { maxLength: 6 }), async (cart, ops) => {
        const s = user.sessions(makeStore());
        const jar = new CookieJar();
        const first = jar.context();
        const created = await s.get(first);
        created.cart = structuredClone(cart);
        created.name = "prop";
        await created.save();
        jar.absorb(first.headers);
        const model = structuredClone(cart);
        const second = jar.context();
        const session = await s.get(second);
        for (const op of ops) {
          applyCart(session.cart, op);
          applyCart(model, op);
        }
        await session.save();
        expect(second.headers.getSetCookie().length).toBe(JSON.stringify(model) === JSON.stringify(cart) ? 0 : 1);
        jar.absorb(second.headers);
        const third = await s.get(jar.context());
        expect(third.cart).toEqual(model);
        expect(third.name).toBe("prop");
      }),
      { numRuns: 60 },
    );
  });
});
