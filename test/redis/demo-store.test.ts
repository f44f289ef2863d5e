import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { createDemoStore } from "../../examples/demo/store.ts";
import { sessions } from "../../src/session/manager.ts";
import { RedisStore } from "../../src/stores/redis/redis-store.ts";
import { CookieJar } from "../stores/cookie-jar.ts";
import { REDIS_URL } from "./env.ts";

const previous = process.env["REDIS_URL"];
afterEach(() => {
  if (previous === undefined) delete process.env["REDIS_URL"];
  else process.env["REDIS_URL"] = previous;
});

describe("the demo with SESSION_STORE=redis", () => {
  it("keeps its sessions in the Redis that REDIS_URL names", async () => {
    process.env["REDIS_URL"] = REDIS_URL;
    const store = await createDemoStore("redis", { hashKey: randomBytes(32), blockKey: randomBytes(32) });
    expect(store).toBeInstanceOf(RedisStore);
    const redis = store as RedisStore;
    try {
      const jar = new CookieJar();
      const ctx = jar.context();
      const demo = sessions("demo", redis);
      const session = await demo.get(ctx);
      session.set("name", "kataras");
      await session.save();
      jar.absorb(ctx.headers);
      expect(await redis.client.exists(`${redis.prefix}${session.id}`)).toBe(1);
      expect((await demo.get(jar.context())).get("name")).toBe("kataras");
      await (await demo.get(jar.context())).destroy();
    } finally {
      await redis.close();
    }
  });
});
