import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isSessionError } from "../../src/errors.ts";
import { RedisBackend } from "../../src/stores/redis/redis-backend.ts";
import { RedisStore } from "../../src/stores/redis/redis-store.ts";
import { freshSession, loadSession } from "../support/sessions.ts";
import { CookieJar } from "./cookie-jar.ts";
import { connect, testPrefix } from "../redis/env.ts";
import { type ThrowawayRedis, startThrowawayRedis } from "../redis/server.ts";

const COMMAND_TIMEOUT = 1000;
let server: ThrowawayRedis;
let client: Redis;
let backend: RedisBackend;
const prefix = testPrefix("outage");

beforeAll(async () => {
  server = await startThrowawayRedis();
  client = connect(server.url, COMMAND_TIMEOUT);
  backend = new RedisBackend({ client, prefix, commandTimeout: COMMAND_TIMEOUT, scanCount: 100 });
});
afterAll(async () => {
  client.disconnect();
  await server.stop();
});

/** Settles `promise` into its rejection (or a marker when it resolved), failing after a generous bound. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise((resolve) => (timer = setTimeout(() => resolve("still pending"), 10 * COMMAND_TIMEOUT)));
  try {
    return await Promise.race([promise.then(() => "resolved", (err: unknown) => err), hang]);
  } finally {
    clearTimeout(timer);
  }
}

/** Retries `read` until it succeeds, at most ~10 s: the client reconnects by itself meanwhile. */
async function readWhenBack(id: string): Promise<string | undefined> {
  let last: unknown;
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      return await backend.read(id);
    } catch (err) {
      last = err;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw last;
}

describe("RedisBackend when Redis goes away", () => {
  it("fails read and write with store_unavailable while Redis is down, then recovers by itself", async () => {
    await backend.write("before", "v1", 60);
    expect(await backend.read("before")).toBe("v1");

    await server.stop();
    for (const attempt of [backend.read("before"), backend.write("during", "v2", 60)]) {
      const err = await rejection(attempt);
      expect(isSessionError(err, "store_unavailable"), String(err)).toBe(true);
      expect((err as Error).cause).toBeInstanceOf(Error);
    }

    await server.start();
    // The restarted server kept nothing (no persistence); what matters is that the same client works again.
    expect(await readWhenBack("before")).toBeUndefined();
    await backend.write("after", "v3", 60);
    expect(await backend.read("after")).toBe("v3");
  });

  it("fails with store_unavailable when the server stops answering, then answers again", async () => {
    server.pause();
    try {
      const err = await rejection(backend.read("after"));
      expect(isSessionError(err, "store_unavailable"), String(err)).toBe(true);
      expect((err as Error).message).toMatch(/no answer within/);
    } finally {
      server.resume();
    }
    expect(await readWhenBack("after")).toBe("v3");
  });

  it("fails a call queued behind an unanswered auto-pipeline within one timeout, not two", async () => {
    expect(client.options.enableAutoPipelining).toBe(true); // the recommended options turn it on
    server.pause();
    try {
      const first = rejection(backend.read("after"));
      await new Promise((resolve) => setTimeout(resolve, 20)); // the first batch is out, unanswered
      const started = Date.now();
      const queued = await rejection(backend.read("after")); // waits, unsent, behind the first batch
      const waited = Date.now() - started;
      expect(isSessionError(queued, "store_unavailable"), String(queued)).toBe(true);
      // A deadline, not a speed: ioredis alone would end it only after ~2 timeouts (its timer starts when
      // the batch is sent, once the first one has timed out).
      expect(waited).toBeLessThan(1.5 * COMMAND_TIMEOUT);
      expect(isSessionError(await first, "store_unavailable")).toBe(true);
    } finally {
      server.resume();
    }
    expect(await readWhenBack("after")).toBe("v3");
  });
});

describe("RedisStore when Redis goes away", () => {
  it("rejects get and save with store_unavailable while Redis is down, and the same store recovers", async () => {
    const store = new RedisStore({ client, prefix, commandTimeout: COMMAND_TIMEOUT, hashKey: "h".repeat(32) });
    const jar = new CookieJar();
    const ctx = jar.context();
    const session = await loadSession(store, ctx, "app");
    session.set("n", 1);
    await session.save(ctx);
    jar.absorb(ctx.headers);

    await server.stop();
    const during = jar.context();
    const failedGet = await rejection(loadSession(store, during, "app"));
    expect(isSessionError(failedGet, "store_unavailable"), String(failedGet)).toBe(true);
    const fresh = freshSession(store, during, "app");
    fresh.set("n", 2);
    const failedSave = await rejection(fresh.save());
    expect(isSessionError(failedSave, "store_unavailable"), String(failedSave)).toBe(true);
    expect(during.headers.getSetCookie()).toEqual([]); // no cookie for data that was not stored

    await server.start();
    await readWhenBack("probe"); // wait (bounded) for the client to reconnect by itself
    const after = jar.context();
    const reloaded = await loadSession(store, after, "app");
    expect(reloaded.isNew).toBe(true); // the restarted server kept nothing
    reloaded.set("n", 3);
    await reloaded.save(after);
    jar.absorb(after.headers);
    expect((await loadSession(store, jar.context(), "app")).get("n")).toBe(3);
    await store.close();
  });
});
