import { describe, expect, it } from "vitest";
import { deadlineList } from "../../src/stores/redis/deadline-list.ts";
import { redisCall } from "../../src/stores/redis/redis-errors.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("the deadline list of the Redis calls under one timeout", () => {
  it("expires each waiting call once its own timeout has passed, not before, the oldest first", async () => {
    const list = deadlineList(40);
    const expired: Array<{ name: string; waited: number }> = [];
    const add = (name: string) => {
      const start = performance.now();
      return list.add(() => expired.push({ name, waited: performance.now() - start }));
    };
    add("a");
    await sleep(15);
    add("b");
    await sleep(15);
    add("c");
    await sleep(300);
    expect(expired.map((e) => e.name)).toEqual(["a", "b", "c"]);
    for (const { waited } of expired) expect(waited).toBeGreaterThanOrEqual(40);
  });

  it("never expires a call that answered, wherever it was in the list", async () => {
    const list = deadlineList(30);
    const expired: string[] = [];
    const calls = ["a", "b", "c", "d", "e"].map((name) => ({ name, waiting: list.add(() => expired.push(name)) }));
    list.remove(calls[0]!.waiting); // the oldest
    list.remove(calls[2]!.waiting); // one in the middle
    list.remove(calls[4]!.waiting); // the newest
    list.remove(calls[2]!.waiting); // twice: harmless
    await sleep(250);
    expect(expired).toEqual(["b", "d"]);
    // The list starts over once empty: a later call gets its own full timeout.
    const start = performance.now();
    let waited = 0;
    list.add(() => (waited = performance.now() - start));
    await sleep(250);
    expect(waited).toBeGreaterThanOrEqual(30);
  });

  it("bounds many Redis calls at once, rejecting only those without an answer", async () => {
    const deadline = { timeoutMs: 200, timerMs: 200 };
    const never = () => new Promise<string>(() => {});
    const calls = Array.from({ length: 200 }, (_, i) =>
      redisCall("GET", deadline, i % 3 === 0 ? never : () => sleep(i % 5).then(() => `v${i}`)).then(
        (value) => ({ i, value }),
        (err: unknown) => ({ i, err }),
      ),
    );
    const results = await Promise.all(calls);
    for (const result of results) {
      if (result.i % 3 === 0) expect(result).toMatchObject({ err: { code: "store_unavailable", message: expect.stringContaining("no answer within 200 ms") } });
      else expect(result).toEqual({ i: result.i, value: `v${result.i}` });
    }
  });
});
