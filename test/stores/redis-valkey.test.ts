import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Redis } from "ioredis";
import { RedisStore } from "../../src/stores/redis/redis-store.ts";
import { connect, deletePrefix, keysUnder, testPrefix } from "../redis/env.ts";
import { describeStoreContract } from "./contract.ts";

/** A Valkey server (`.ci/run` starts one when Debian packages `valkey-server`), else these tests are skipped. */
const VALKEY_URL = process.env["VALKEY_URL"];
const skip = VALKEY_URL === undefined ? " (skipped: VALKEY_URL is not set; .ci/run sets it when Debian has valkey-server)" : "";
if (skip !== "") console.warn(`Valkey tests${skip}`);

describe.skipIf(VALKEY_URL === undefined)(`RedisStore on Valkey${skip}`, () => {
  let client: Redis;
  beforeAll(() => {
    client = connect(VALKEY_URL);
  });
  afterAll(() => client.disconnect());

  it("talks to a Valkey server, not a Redis one", async () => {
    expect(await client.info("server")).toMatch(/^(server_name:valkey|valkey_version:)/m);
  });

  describeStoreContract("RedisStore on Valkey", async () => {
    const prefix = testPrefix("valkey-contract");
    const stores: RedisStore[] = [];
    return {
      serverSide: true,
      make: ({ keys, now, onError, cookie }) => {
        const store = new RedisStore({ client, prefix, keys, now, onError, cookie });
        stores.push(store);
        return store;
      },
      stored: async () => Promise.all((await keysUnder(client, prefix)).map(async (key) => (await client.pttl(key)) / 1000)),
      cleanup: async () => {
        for (const store of stores) await store.close();
        await deletePrefix(client, prefix);
      },
    };
  });
});
