import { describe, expect, it } from "vitest";
import { SessionError } from "../../src/errors.ts";
import { type Deadline, redisCall } from "../../src/stores/redis/redis-errors.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const CLIENT_TIMEOUT: Deadline = { timeoutMs: 1000, timerMs: 0 }; // the client's commandTimeout bounds the call
const OWN_TIMER: Deadline = { timeoutMs: 60, timerMs: 60 }; // the store's own timer does
const noScript = () => Promise.reject(new Error("NOSCRIPT No matching script. Please use EVAL."));

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error("expected a rejection");
}

describe.each([
  ["the client's timeout", CLIENT_TIMEOUT],
  ["a timer of the store's", OWN_TIMER],
])("redisCall under %s", (_, deadline) => {
  it("applies map to the reply, and resolves a promise map returns", async () => {
    expect(await redisCall("GET", deadline, () => Promise.resolve(null), (reply) => reply ?? undefined)).toBeUndefined();
    expect(await redisCall("GET", deadline, () => Promise.resolve(2), (reply) => Promise.resolve(reply * 3))).toBe(6);
  });

  it("makes the call recover names instead of failing, and maps its reply", async () => {
    const seen: unknown[] = [];
    const reply = await redisCall("CAS", deadline, noScript, (value: number) => value + 1, (err) => {
      seen.push(err);
      return Promise.resolve(41);
    });
    expect(reply).toBe(42);
    expect(seen).toHaveLength(1);
    expect((seen[0] as Error).message).toMatch(/^NOSCRIPT/);
  });

  it("fails with store_unavailable, the call's error as the cause, when recover declines", async () => {
    const err = await rejection(redisCall("CAS", deadline, noScript, (value: number) => value, () => undefined));
    expect(err).toBeInstanceOf(SessionError);
    expect(err).toMatchObject({ code: "store_unavailable" });
    expect(((err as SessionError).cause as Error).message).toMatch(/^NOSCRIPT/);
    expect((err as Error).message).toMatch(/Redis CAS failed: NOSCRIPT/);
  });

  it("fails with store_unavailable when the recovering call fails or recover throws", async () => {
    const failing = await rejection(redisCall("CAS", deadline, noScript, (v: number) => v, () => Promise.reject(new Error("Connection is closed."))));
    expect(failing).toMatchObject({ code: "store_unavailable" });
    expect((failing as Error).message).toMatch(/connection is down/);
    const throwing = await rejection(
      redisCall("CAS", deadline, noScript, (v: number) => v, () => {
        throw new Error("Stream isn't writeable");
      }),
    );
    expect(throwing).toMatchObject({ code: "store_unavailable" });
  });

  it("passes an error map throws to the caller as it is", async () => {
    const mine = new Error("not a reply this caller understands");
    const err = await rejection(redisCall("GET", deadline, () => Promise.resolve("x"), () => {
      throw mine;
    }));
    expect(err).toBe(mine);
  });
});

describe("redisCall's own timer", () => {
  it("bounds the recovering call too: the deadline counts from the first call", async () => {
    const started = performance.now();
    const err = await rejection(redisCall("CAS", OWN_TIMER, noScript, (v: number) => v, () => sleep(500).then(() => 1)));
    expect(err).toMatchObject({ code: "store_unavailable" });
    expect((err as Error).message).toMatch(/no answer within 60 ms/);
    expect(performance.now() - started).toBeLessThan(400);
  });
});
