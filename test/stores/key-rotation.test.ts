// Key rotation in every combination, through the stores: a cookie written under the old pair is read under
// [new, old] and re-issued under the new pair on save, or the [new, old] list is refused when the store is
// created (two pairs with one hash key: the MAC cannot tell which block key wrote a cookie).
import { describe, expect, it } from "vitest";
import { createCodec } from "../../src/codec/codec.ts";
import type { KeyPair } from "../../src/codec/keys.ts";
import { SessionError } from "../../src/errors.ts";
import { sessions } from "../../src/session/manager.ts";
import { CookieStore } from "../../src/stores/cookie-store.ts";
import { MemoryBackend, MemoryStore } from "../../src/stores/memory-store.ts";
import type { Store } from "../../src/stores/store.ts";
import { CookieJar } from "./cookie-jar.ts";

const H1 = "1".repeat(32);
const H2 = "2".repeat(64);
const B1 = "a".repeat(32);
const B2 = "b".repeat(16);

/** [label, old pair, new pair]: the old pair writes, then [new, old] reads. */
const WORKS: [string, KeyPair, KeyPair][] = [
  ["different hash, same block key", { hashKey: H1, blockKey: B1 }, { hashKey: H2, blockKey: B1 }],
  ["different hash and block keys", { hashKey: H1, blockKey: B1 }, { hashKey: H2, blockKey: B2 }],
  ["signed-only to encrypted, new hash key", { hashKey: H1 }, { hashKey: H2, blockKey: B1 }],
  ["encrypted to signed-only, new hash key", { hashKey: H1, blockKey: B1 }, { hashKey: H2 }],
  ["signed-only, new hash key", { hashKey: H1 }, { hashKey: H2 }],
];
const REFUSED: [string, KeyPair, KeyPair][] = [
  ["same hash key, new block key", { hashKey: H1, blockKey: B1 }, { hashKey: H1, blockKey: B2 }],
  ["same hash key, signed-only to encrypted", { hashKey: H1 }, { hashKey: H1, blockKey: B1 }],
  ["same hash key, encrypted to signed-only", { hashKey: H1, blockKey: B1 }, { hashKey: H1 }],
  ["same hash key given as bytes and as text", { hashKey: Buffer.from(H1), blockKey: B1 }, { hashKey: H1, blockKey: B2 }],
];

const STORES: [string, () => (keys: KeyPair[]) => Store][] = [
  ["CookieStore", () => (keys) => new CookieStore({ keys, signedOnly: true })],
  [
    "MemoryStore",
    () => {
      const backend = new MemoryBackend(); // one backend for both stores: the data outlives the key change
      return (keys) => new MemoryStore({ keys, backend });
    },
  ],
];

describe.each(STORES)("key rotation through a %s", (_store, setup) => {
  it.each(WORKS)("%s: reads the old cookie and re-issues it under the new pair", async (_label, oldPair, newPair) => {
    const make = setup();
    const errors: unknown[] = [];
    const jar = new CookieJar();
    const ctx1 = jar.context();
    const first = await sessions("s", make([oldPair])).get(ctx1);
    first.set("name", "kataras");
    await first.save(ctx1);
    jar.absorb(ctx1.headers);
    const oldCookie = jar.header();

    const rotated = sessions("s", make([newPair, oldPair]), { onError: (err) => errors.push(err) });
    const ctx2 = jar.context();
    const second = await rotated.get(ctx2);
    expect(second.isNew).toBe(false);
    expect(second.getString("name")).toBe("kataras");
    await second.save(ctx2);
    expect(ctx2.headers.getSetCookie()).toHaveLength(1);
    jar.absorb(ctx2.headers);
    expect(jar.header()).not.toBe(oldCookie);

    const onlyNew = sessions("s", make([newPair]), { onError: (err) => errors.push(err) });
    const third = await onlyNew.get(jar.context());
    expect(third.isNew).toBe(false);
    expect(third.getString("name")).toBe("kataras");
    expect(errors).toEqual([]);
  });

  it.each(REFUSED)("%s: refuses the key list when the store is created", (_label, oldPair, newPair) => {
    const make = setup();
    for (const keys of [
      [newPair, oldPair],
      [oldPair, newPair],
    ]) {
      let caught: unknown;
      try {
        make(keys);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(SessionError);
      expect((caught as SessionError).code).toBe("invalid_option");
      expect((caught as SessionError).message).toMatch(
        /^typed-sessions: key pairs 0 and 1 share a hash key but not a block key; .*Rotate the hash key together with the block key/,
      );
    }
  });
});

describe("key rotation in the codec", () => {
  it("a raw cookie under {H, B1} is never 'decrypted' with {H, B2} into garbage: the list is refused", () => {
    const hashKey = "h".repeat(32);
    const old = createCodec({ hashKey, blockKey: B1, serializer: "raw" });
    const cookie = old.encode("s", new Uint8Array([1, 2, 3]));
    expect(() => createCodec({ keys: [{ hashKey, blockKey: B2.repeat(2) }, { hashKey, blockKey: B1 }], serializer: "raw" })).toThrow(
      expect.objectContaining({ code: "invalid_option" }),
    );
    expect(old.decode("s", cookie)).toEqual(new Uint8Array([1, 2, 3]));
  });

  it("accepts the same pair listed twice (it decodes alike under both)", () => {
    const pair = { hashKey: H1, blockKey: B1 };
    const codec = createCodec({ keys: [pair, { ...pair }], serializer: "json" });
    expect(codec.decodeWithKeyIndex("s", createCodec({ keys: [pair], serializer: "json" }).encode("s", 1))).toEqual({ value: 1, keyIndex: 0 });
  });
});
