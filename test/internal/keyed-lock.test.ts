import { describe, expect, it } from "vitest";
import { KeyedLock } from "../../src/internal/keyed-lock.ts";

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("KeyedLock", () => {
  it("runs the tasks of one key one at a time, in call order", async () => {
    const lock = new KeyedLock();
    const log: string[] = [];
    const task = (name: string, turns: number) => async () => {
      log.push(`${name} start`);
      for (let n = 0; n < turns; n++) await tick();
      log.push(`${name} end`);
      return name;
    };
    const results = await Promise.all([lock.run("k", task("a", 3)), lock.run("k", task("b", 0)), lock.run("k", task("c", 1))]);
    expect(results).toEqual(["a", "b", "c"]);
    expect(log).toEqual(["a start", "a end", "b start", "b end", "c start", "c end"]);
  });

  it("lets tasks of different keys run at the same time", async () => {
    const lock = new KeyedLock();
    const log: string[] = [];
    const task = (name: string) => async () => {
      log.push(`${name} start`);
      await tick();
      log.push(`${name} end`);
    };
    await Promise.all([lock.run("x", task("x")), lock.run("y", task("y"))]);
    expect(log).toEqual(["x start", "y start", "x end", "y end"]);
  });

  it("starts a task at once when nothing is queued for its key", () => {
    const lock = new KeyedLock();
    let started = false;
    void lock.run("k", async () => {
      started = true;
    });
    expect(started).toBe(true);
  });

  it("passes a failure to its caller without blocking the next task, a synchronous throw included", async () => {
    const lock = new KeyedLock();
    const failing = lock.run("k", async () => {
      throw new Error("boom");
    });
    const throwing = lock.run("k", (() => {
      throw new Error("sync");
    }) as () => Promise<never>);
    const next = lock.run("k", async () => "ok");
    await expect(failing).rejects.toThrow("boom");
    await expect(throwing).rejects.toThrow("sync");
    await expect(next).resolves.toBe("ok");
    expect(() => lock.run("other", (() => {
      throw new Error("sync first");
    }) as () => Promise<never>)).not.toThrow();
    await tick();
    expect(lock.size).toBe(0);
  });

  it("forgets a key once its tasks have settled, so 10,000 ids leave an empty map", async () => {
    const lock = new KeyedLock();
    const runs = Array.from({ length: 10_000 }, (_, n) => lock.run(`id-${n % 5000}`, async () => n));
    expect(lock.size).toBe(5000);
    await Promise.all(runs);
    await tick();
    expect(lock.size).toBe(0);
  });
});
