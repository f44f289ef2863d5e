import { describe, expect, it } from "vitest";
import { EncodedMemo, MEMO_ENTRIES, MEMO_MIN_HITS, MEMO_REST, MEMO_TEXT_LIMIT, MEMO_WINDOW } from "../../src/stores/encoded-memo.ts";

const bytes = new Uint8Array([1, 2, 3]);

describe("EncodedMemo", () => {
  it("gives back the bytes of exactly the text it remembered, under the same key and name", () => {
    const memo = new EncodedMemo(60);
    memo.remember("id1", "sid", "text-a", bytes, 1000);
    expect(memo.recall("id1", "sid", "text-a", 1000)).toBe(bytes);
    expect(memo.recall("id1", "sid", "text-b", 1000)).toBeUndefined(); // another text under the key
    expect(memo.recall("id1", "other", "text-a", 1000)).toBeUndefined(); // signed under another name
    expect(memo.recall("id2", "sid", "text-a", 1000)).toBeUndefined(); // another key
    memo.remember("id1", "sid", "text-b", bytes, 1000);
    expect(memo.recall("id1", "sid", "text-a", 1000)).toBeUndefined(); // replaced
  });

  it("filed by text, keeps one text per owner: the newest", () => {
    const memo = new EncodedMemo(60);
    memo.remember("cookie-1", "sid", "cookie-1", bytes, 1000, "id1");
    memo.remember("cookie-x", "sid", "cookie-x", bytes, 1000, "id2");
    memo.remember("cookie-2", "sid", "cookie-2", bytes, 1001, "id1");
    expect(memo.recall("cookie-1", "sid", "cookie-1", 1001)).toBeUndefined();
    expect(memo.recall("cookie-2", "sid", "cookie-2", 1001)).toBe(bytes);
    expect(memo.recall("cookie-x", "sid", "cookie-x", 1001)).toBe(bytes);
    memo.remember("cookie-3", "sid", "z".repeat(MEMO_TEXT_LIMIT + 1), bytes, 1002, "id1"); // too long: kept none
    expect(memo.recall("cookie-2", "sid", "cookie-2", 1002)).toBeUndefined();
  });

  it("lets a text go once it is older than maxAge, as the codec's check would", () => {
    const memo = new EncodedMemo(60);
    memo.remember("k", "sid", "t", bytes, 1000);
    expect(memo.recall("k", "sid", "t", 1060.9)).toBe(bytes);
    expect(memo.recall("k", "sid", "t", 1061)).toBeUndefined();
    const ageless = new EncodedMemo(0);
    ageless.remember("k", "sid", "t", bytes, 1000);
    expect(ageless.recall("k", "sid", "t", 1e9)).toBe(bytes);
  });

  it("keeps no text over the limit, and forgets what its key held before", () => {
    const memo = new EncodedMemo(60);
    memo.remember("k", "sid", "short", bytes, 1000);
    const long = "x".repeat(MEMO_TEXT_LIMIT + 1);
    memo.remember("k", "sid", long, bytes, 1000);
    expect(memo.recall("k", "sid", long, 1000)).toBeUndefined();
    expect(memo.recall("k", "sid", "short", 1000)).toBeUndefined();
    const limit = "y".repeat(MEMO_TEXT_LIMIT);
    memo.remember("k", "sid", limit, bytes, 1000);
    expect(memo.recall("k", "sid", limit, 1000)).toBe(bytes);
  });

  it("holds at most MEMO_ENTRIES texts", () => {
    const memo = new EncodedMemo(60);
    for (let i = 0; i < MEMO_ENTRIES; i++) memo.remember(`k${i}`, "sid", `t${i}`, bytes, 1000);
    expect(memo.recall("k0", "sid", "t0", 1000)).toBe(bytes);
    memo.remember("k0", "sid", "t0'", bytes, 1000); // a key it holds: replaced in place
    expect(memo.recall("k1", "sid", "t1", 1000)).toBe(bytes);
    memo.remember("new", "sid", "t", bytes, 1000); // one more: the old ones go
    expect(memo.recall("new", "sid", "t", 1000)).toBe(bytes);
    expect(memo.recall("k1", "sid", "t1", 1000)).toBeUndefined();
  });

  /** One lookup of a key `memo` holds, finding another writer's text, then this process's own next write. */
  const foreignLoad = (memo: EncodedMemo, i: number) => {
    expect(memo.recall("id", "sid", `theirs-${i}`, 1000)).toBeUndefined();
    memo.remember("id", "sid", `ours-${i}`, bytes, 1000);
  };

  it("rests when the keys it holds keep turning up with other writers' texts, then tries again", () => {
    const memo = new EncodedMemo(60);
    const follower = new EncodedMemo(60, memo);
    follower.remember("cookie", "sid", "cookie", bytes, 1000, "id");
    memo.remember("id", "sid", "ours", bytes, 1000);
    for (let i = 0; i < MEMO_WINDOW - 1; i++) foreignLoad(memo, i);
    expect(memo.resting).toBe(false);
    expect(memo.recall("id", "sid", `ours-${MEMO_WINDOW - 2}`, 1000)).toBe(bytes); // the window's one hit
    expect(memo.resting).toBe(true);
    expect(follower.resting).toBe(true);
    // Resting: empty, and neither memo remembers or finds anything.
    expect(follower.recall("cookie", "sid", "cookie", 1000)).toBeUndefined();
    memo.remember("id", "sid", "ours", bytes, 1000);
    follower.remember("cookie", "sid", "cookie", bytes, 1000, "id");
    expect(memo.recall("id", "sid", "ours", 1000)).toBeUndefined();
    expect(follower.recall("cookie", "sid", "cookie", 1000)).toBeUndefined();
    for (let i = 1; i < MEMO_REST; i++) expect(memo.recall("id", "sid", "ours", 1000)).toBeUndefined();
    expect(memo.resting).toBe(false);
    memo.remember("id", "sid", "ours", bytes, 1000);
    follower.remember("cookie", "sid", "cookie", bytes, 1000, "id");
    expect(memo.recall("id", "sid", "ours", 1000)).toBe(bytes);
    expect(follower.recall("cookie", "sid", "cookie", 1000)).toBe(bytes);
  });

  it("goes on while one lookup in eight of the keys it holds finds its text", () => {
    const memo = new EncodedMemo(60);
    memo.remember("id", "sid", "ours", bytes, 1000);
    for (let window = 0; window < 10; window++) {
      for (let i = 0; i < MEMO_WINDOW - MEMO_MIN_HITS; i++) foreignLoad(memo, i);
      for (let i = 0; i < MEMO_MIN_HITS; i++) {
        memo.remember("id", "sid", "ours", bytes, 1000);
        expect(memo.recall("id", "sid", "ours", 1000)).toBe(bytes);
      }
    }
    expect(memo.resting).toBe(false);
  });

  it("does not count keys it never held (a restart, new visitors), nor a follower's lookups", () => {
    const memo = new EncodedMemo(60);
    const follower = new EncodedMemo(60, memo);
    for (let i = 0; i < 10 * MEMO_WINDOW; i++) {
      expect(memo.recall(`unknown-${i}`, "sid", "text", 1000)).toBeUndefined();
      expect(follower.recall(`cookie-${i}`, "sid", `cookie-${i}`, 1000)).toBeUndefined();
    }
    memo.remember("id", "sid", "ours", bytes, 1000);
    expect(memo.recall("id", "sid", "ours", 1000)).toBe(bytes);
    expect(memo.resting).toBe(false);
  });
});
