import { inspect } from "node:util";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isSessionError } from "../../src/errors.ts";
import { RedisBackend, commandDeadline, escapeGlob } from "../../src/stores/redis/redis-backend.ts";
import { deadlineFor, unavailable } from "../../src/stores/redis/redis-errors.ts";
import { generateSessionId } from "../../src/stores/session-id.ts";
import { connect, deletePrefix, keysUnder, testPrefix } from "../redis/env.ts";

let client: Redis;
const prefix = testPrefix("backend");
const outside = testPrefix("outside");
/** Prefixes of their own for the clear() tests, which look at every key under one; deleted after all. */
const fresh: string[] = [];
function freshPrefix(): string {
  const made = testPrefix("clear");
  fresh.push(made);
  return made;
}

function backend(options: Partial<{ prefix: string; scanCount: number }> = {}): RedisBackend {
  return new RedisBackend({ client, prefix, commandTimeout: 1000, scanCount: 100, ...options });
}

beforeAll(() => {
  client = connect();
});
afterAll(async () => {
  await deletePrefix(client, prefix);
  await deletePrefix(client, outside);
  for (const made of fresh) await deletePrefix(client, made);
  client.disconnect();
});

describe("RedisBackend", () => {
  it("writes a value under prefix + id and reads it back", async () => {
    const b = backend();
    await b.write("abc", "encoded-bytes", 60);
    expect(await client.get(`${prefix}abc`)).toBe("encoded-bytes");
    expect(await b.read("abc")).toBe("encoded-bytes");
  });

  it("reads undefined for an id that was never written", async () => {
    expect(await backend().read("never-written")).toBeUndefined();
  });

  it("sets the TTL in whole seconds with EX and in milliseconds for fractions", async () => {
    const b = backend();
    await b.write("ttl-seconds", "v", 120);
    const whole = await client.pttl(`${prefix}ttl-seconds`);
    expect(whole).toBeGreaterThan(100_000);
    expect(whole).toBeLessThanOrEqual(120_000);
    await b.write("ttl-fraction", "v", 30.5);
    const fraction = await client.pttl(`${prefix}ttl-fraction`);
    expect(fraction).toBeGreaterThan(20_000);
    expect(fraction).toBeLessThanOrEqual(30_500);
  });

  it("keeps a value without expiry for an infinite TTL and deletes it for a TTL of 0", async () => {
    const b = backend();
    await b.write("forever", "v", Infinity);
    expect(await client.pttl(`${prefix}forever`)).toBe(-1);
    await b.write("forever", "v", 0);
    expect(await client.exists(`${prefix}forever`)).toBe(0);
  });

  it("updates only a key that still exists (SET XX), with the new TTL", async () => {
    const b = backend();
    expect(await b.update("gone", "v", 60)).toBe(false);
    expect(await client.exists(`${prefix}gone`)).toBe(0);
    await b.write("kept", "old", 10);
    expect(await b.update("kept", "new", 600)).toBe(true);
    expect(await b.read("kept")).toBe("new");
    expect(await client.pttl(`${prefix}kept`)).toBeGreaterThan(500_000);
    expect(await b.update("kept", "newer", 30.5)).toBe(true);
    expect(await client.pttl(`${prefix}kept`)).toBeLessThanOrEqual(30_500);
    expect(await b.update("kept", "forever", Infinity)).toBe(true);
    expect(await client.pttl(`${prefix}kept`)).toBe(-1);
    expect(await b.update("kept", "x", 0)).toBe(false);
    expect(await client.exists(`${prefix}kept`)).toBe(0);
  });

  it("keeps the key (the session id) and the data out of a Redis error's cause", async () => {
    const id = "Do_feLEjDHh7U7sm_Os-myINNii8S7Dlga1O5Xj_72c";
    await client.rpush(`${prefix}${id}`, "a list, not a string");
    const failure = await backend().read(id).catch((err: unknown) => err);
    await client.del(`${prefix}${id}`);
    expect(failure).toMatchObject({ code: "store_unavailable", cause: { command: { name: "get" } } });
    const shown = inspect(failure, { depth: 10 });
    expect(shown).toContain("WRONGTYPE");
    expect(shown).not.toContain(id);
    // A SET's arguments hold the data too: none of them survive in the cause.
    const replyError = Object.assign(new Error("OOM command not allowed"), {
      command: { name: "set", args: [`${prefix}${id}`, "secret-session-data", "EX", 60] },
    });
    const wrapped = unavailable("SET", 1000, replyError);
    expect(inspect(wrapped, { depth: 10 })).not.toMatch(new RegExp(`${id}|secret-session-data`));
    expect(wrapped.cause).toMatchObject({ message: "OOM command not allowed", command: { name: "set" } });
  });

  it("deletes a value, and deleting a missing one is not an error", async () => {
    const b = backend();
    await b.write("gone", "v", 60);
    await b.delete("gone");
    expect(await b.read("gone")).toBeUndefined();
    await expect(b.delete("gone")).resolves.toBeUndefined();
  });

  it("replaces the old id with the new one in one transaction", async () => {
    const b = backend();
    await b.write("old-id", "before", 60);
    await b.replace("old-id", "new-id", "after", 60);
    expect(await b.read("old-id")).toBeUndefined();
    expect(await b.read("new-id")).toBe("after");
    expect(await client.pttl(`${prefix}new-id`)).toBeGreaterThan(50_000);
  });

  it("clears every key under its prefix, in several SCAN steps, and nothing outside it", async () => {
    const prefix = freshPrefix();
    const b = backend({ prefix, scanCount: 7 });
    for (let i = 0; i < 40; i++) await b.write(generateSessionId(), "v", 60);
    await client.set(`${outside}keep`, "foreign", "EX", 60);
    // A key that shares the prefix's text up to a glob character must not match either.
    const lookalike = `${prefix.slice(0, -1)}X`;
    await client.set(lookalike, "foreign", "EX", 60);
    await b.clear();
    expect(await keysUnder(client, prefix)).toEqual([]);
    expect(await client.get(`${outside}keep`)).toBe("foreign");
    expect(await client.get(lookalike)).toBe("foreign");
    await client.del(lookalike);
  });

  it("clears only keys of its own shape, prefix + session id, not nested prefixes or lookalikes", async () => {
    const prefix = freshPrefix();
    const b = backend({ prefix, scanCount: 7 });
    const ids = Array.from({ length: 12 }, () => generateSessionId());
    for (const id of ids) await b.write(id, "v", 60);
    const id = generateSessionId();
    // Another store's nested prefix (`session:admin:` under `session:`), a short key, a longer key that
    // begins with an id, and a 43-character tail with a character no id has.
    const nested = new RedisBackend({ client, prefix: `${prefix}admin:`, commandTimeout: 1000, scanCount: 7 });
    await nested.write(id, "admin", 60);
    const kept = [`${prefix}x`, `${prefix}${id}extra`, `${prefix}${id.slice(0, 42)}.`];
    for (const key of kept) await client.set(key, "foreign", "EX", 60);
    await b.clear();
    for (const own of ids) expect(await b.read(own)).toBeUndefined();
    expect(await nested.read(id)).toBe("admin");
    for (const key of kept) expect(await client.get(key)).toBe("foreign");
    expect(await keysUnder(client, prefix)).toEqual([`${prefix}admin:${id}`, ...kept].sort());
    await nested.clear();
    expect(await nested.read(id)).toBeUndefined();
    await client.del(...kept);
  });

  it("treats glob characters in the prefix literally when clearing", async () => {
    const globPrefix = `${outside}[a-z]*?:`;
    const literal = new RedisBackend({ client, prefix: globPrefix, commandTimeout: 1000, scanCount: 10 });
    const id = generateSessionId();
    await literal.write(id, "v", 60);
    await client.set(`${outside}b-other:${id}`, "foreign", "EX", 60);
    await literal.clear();
    expect(await literal.read(id)).toBeUndefined();
    expect(await client.get(`${outside}b-other:${id}`)).toBe("foreign");
  });

  it("escapes every Redis glob character", () => {
    expect(escapeGlob("a*b?c[d]e\\f")).toBe("a\\*b\\?c\\[d\\]e\\\\f");
  });

  it.each([
    ["an empty prefix", { prefix: "" }],
    ["a scanCount of 0", { scanCount: 0 }],
  ])("refuses %s with invalid_option", (_, options) => {
    expect(() => backend(options)).toThrow(expect.objectContaining({ code: "invalid_option" }));
  });

  it("refuses a client with an ioredis keyPrefix, which SCAN would not apply", async () => {
    const { Redis } = await import("ioredis");
    const prefixed = new Redis({ lazyConnect: true, keyPrefix: "app:" });
    try {
      expect(() => new RedisBackend({ client: prefixed, prefix, commandTimeout: 1000, scanCount: 10 })).toThrow(
        expect.objectContaining({ code: "invalid_option" }),
      );
    } finally {
      prefixed.disconnect();
    }
  });

  it("fails with store_unavailable when a command gets no answer within the timeout", async () => {
    // A client that never answers: its promise never settles, so only the store's own deadline can end it.
    const silent = { options: {}, get: () => new Promise<never>(() => {}) } as unknown as Redis;
    const b = new RedisBackend({ client: silent, prefix, commandTimeout: 50, scanCount: 10 });
    const err: unknown = await b.read("x").catch((e: unknown) => e);
    expect(isSessionError(err, "store_unavailable")).toBe(true);
    expect((err as Error).message).toMatch(/no answer within 50 ms/);
  });

  it.each([
    ["a client timeout at most the store's", 500, 1000, { timeoutMs: 500, timerMs: 0 }],
    ["a client timeout longer than the store's", 5000, 1000, { timeoutMs: 1000, timerMs: 1000 }],
    ["a client without a timeout", undefined, 1000, { timeoutMs: 1000, timerMs: 1000 }],
    ["no store deadline but a client timeout", 800, 0, { timeoutMs: 800, timerMs: 0 }],
  ])("uses %s as the deadline", (_, client, store, expected) => {
    expect(deadlineFor(client, store)).toEqual(expected);
  });

  it.each([
    ["the client's timeout when it is shorter", 500, 1000, { timeoutMs: 500, timerMs: 500 }],
    ["the store's timeout when it is shorter", 5000, 1000, { timeoutMs: 1000, timerMs: 1000 }],
    ["the client's timeout when the store has none", 800, 0, { timeoutMs: 800, timerMs: 800 }],
    ["the store's timeout when the client has none", undefined, 1000, { timeoutMs: 1000, timerMs: 1000 }],
  ])("keeps a timer of its own on an auto-pipelining client, of %s", (_, clientTimeout, store, expected) => {
    expect(commandDeadline({ commandTimeout: clientTimeout, enableAutoPipelining: true }, store)).toEqual(expected);
    expect(commandDeadline({ commandTimeout: clientTimeout, enableAutoPipelining: false }, store)).toEqual(
      deadlineFor(clientTimeout, store),
    );
  });

  it("times a call itself on an auto-pipelining client whose own timeout never starts", async () => {
    // An auto-pipelined command queued behind a batch that is still out is not sent, so its commandTimeout
    // has not started: only the store's timer (the client's shorter timeout here) can end the wait.
    const queued = {
      options: { commandTimeout: 50, enableAutoPipelining: true },
      get: () => new Promise<never>(() => {}),
    } as unknown as Redis;
    const b = new RedisBackend({ client: queued, prefix, commandTimeout: 1000, scanCount: 10 });
    const err: unknown = await b.read("x").catch((e: unknown) => e);
    expect(isSessionError(err, "store_unavailable")).toBe(true);
    expect((err as Error).message).toMatch(/no answer within 50 ms/);
  });
});
