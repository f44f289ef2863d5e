import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisBackend } from "../../src/stores/redis/redis-backend.ts";
import { generateSessionId } from "../../src/stores/session-id.ts";
import { connect, deletePrefix, testPrefix } from "../redis/env.ts";
import { describeModifyAndTouch } from "../redis/modify-suite.ts";
import { monitorKey } from "../redis/monitor.ts";
import { type ThrowawayRedis, startThrowawayRedis } from "../redis/server.ts";

describeModifyAndTouch("a single Redis", () => ({
  connect: () => connect(),
  nodeOf: async () => connect(),
  cleanup: (client, prefix) => deletePrefix(client as Redis, prefix),
}));

describe("RedisBackend scripts on a server that has not seen them", () => {
  let server: ThrowawayRedis;
  let client: Redis;
  beforeAll(async () => {
    server = await startThrowawayRedis();
    client = connect(server.url);
  });
  afterAll(async () => {
    client.disconnect();
    await server.stop();
  });

  it("falls back from EVALSHA to EVAL once (NOSCRIPT), then uses EVALSHA", async () => {
    const prefix = testPrefix("noscript");
    const backend = new RedisBackend({ client, prefix, commandTimeout: 1000, scanCount: 100 });
    const id = generateSessionId();
    const key = `${prefix}${id}`;
    const monitor = await monitorKey(client, key);
    try {
      expect(await backend.modify(id, () => ({ data: "1", ttlSeconds: 60 }))).toBe(true);
      const first = (await monitor.commands()).map(([name]) => name);
      expect(first).toEqual(["get", "evalsha", "eval", "get", "set"]);
      await monitor.reset();
      expect(await backend.modify(id, (current) => ({ data: `${current}2`, ttlSeconds: 60 }))).toBe(true);
      expect((await monitor.commands()).map(([name]) => name)).toEqual(["get", "evalsha", "get", "set"]);
      expect(await client.get(key)).toBe("12");
    } finally {
      monitor.stop();
    }
  });
});
