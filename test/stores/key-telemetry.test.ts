// Key telemetry: a store's onKeyUsed tells which key pair verified each session a request brought, so an
// operator can see when an old pair is no longer needed (README section 7).
import { describe, expect, it } from "vitest";
import type { KeyPair } from "../../src/codec/keys.ts";
import { sessions } from "../../src/session/manager.ts";
import { CookieStore } from "../../src/stores/cookie-store.ts";
import { MemoryBackend, MemoryStore } from "../../src/stores/memory-store.ts";
import type { Store } from "../../src/stores/store.ts";
import type { KeyUseInfo } from "../../src/stores/store-options.ts";
import { CookieJar } from "./cookie-jar.ts";

const OLD: KeyPair = { hashKey: "o".repeat(32), blockKey: "O".repeat(32) };
const NEW: KeyPair = { hashKey: "n".repeat(32), blockKey: "N".repeat(32) };

type Make = (keys: KeyPair[], onKeyUsed?: (info: KeyUseInfo) => void) => Store;

const STORES: [string, () => Make, readonly ("cookie" | "data")[]][] = [
  ["CookieStore", () => (keys, onKeyUsed) => new CookieStore({ keys, onKeyUsed }), ["cookie"]],
  [
    "MemoryStore",
    () => {
      const backend = new MemoryBackend(); // one backend for both stores: the data outlives the key change
      return (keys, onKeyUsed) => new MemoryStore({ keys, backend, onKeyUsed });
    },
    ["cookie", "data"],
  ],
];

/** Saves a session under `keys` and returns the jar holding its cookie. */
async function sessionUnder(make: Make, keys: KeyPair[]): Promise<CookieJar> {
  const jar = new CookieJar();
  const ctx = jar.context();
  const session = await sessions("s", make(keys)).get(ctx);
  session.set("name", "kataras");
  await session.save(ctx);
  jar.absorb(ctx.headers);
  return jar;
}

describe.each(STORES)("onKeyUsed of a %s", (_store, setup, parts) => {
  it("reports keyIndex 1 for a session made under the old pair, and 0 once it is re-issued", async () => {
    const make = setup();
    const jar = await sessionUnder(make, [OLD]);
    const used: KeyUseInfo[] = [];
    const rotated = sessions("s", make([NEW, OLD], (info) => used.push(info)));

    const ctx = jar.context();
    const session = await rotated.get(ctx);
    expect(session.getString("name")).toBe("kataras");
    expect(used).toEqual(parts.map((part) => ({ name: "s", keyIndex: 1, keyCount: 2, part })));
    await session.save(ctx); // re-issued under the new pair
    jar.absorb(ctx.headers);

    used.length = 0;
    const again = await rotated.get(jar.context());
    expect(again.getString("name")).toBe("kataras");
    expect(used).toEqual(parts.map((part) => ({ name: "s", keyIndex: 0, keyCount: 2, part })));
  });

  it("a hook that throws does not break the request", async () => {
    const make = setup();
    const jar = await sessionUnder(make, [OLD]);
    let calls = 0;
    const errors: unknown[] = [];
    const rotated = sessions(
      "s",
      make([NEW, OLD], () => {
        calls++;
        throw new Error("metrics backend down");
      }),
      { onError: (err) => errors.push(err) },
    );
    const ctx = jar.context();
    const session = await rotated.get(ctx);
    expect(session.isNew).toBe(false);
    expect(session.getString("name")).toBe("kataras");
    await session.save(ctx);
    expect(ctx.headers.getSetCookie()).toHaveLength(1);
    expect(calls).toBe(parts.length);
    expect(errors).toEqual([]);
  });

  it("is not called for a fresh session, nor for a cookie that fails to decode", async () => {
    const make = setup();
    const used: KeyUseInfo[] = [];
    const manager = sessions("s", make([NEW, OLD], (info) => used.push(info)), { onError: () => {} });
    const fresh = await manager.get(new CookieJar().context());
    expect(fresh.isNew).toBe(true);
    const forged = new CookieJar();
    forged.cookies.set("s", "bm90IGEgY29va2ll");
    expect((await manager.get(forged.context())).isNew).toBe(true);
    expect(used).toEqual([]);
  });
});
