import { afterAll } from "vitest";
import { RedisStore } from "../../src/stores/redis/redis-store.ts";
import { connect, deletePrefix, keysUnder, testPrefix } from "../redis/env.ts";
import { describeStoreContract } from "./contract.ts";

const client = connect();
afterAll(() => client.disconnect());

describeStoreContract("RedisStore", async () => {
  const prefix = testPrefix("contract");
  const stores: RedisStore[] = [];
  return {
    serverSide: true,
    make: ({ keys, now, onError, cookie }) => {
      const store = new RedisStore({ client, prefix, keys, now, onError, cookie });
      stores.push(store);
      return store;
    },
    // Redis keeps its own clock: the TTLs are Redis's, in seconds.
    stored: async () => Promise.all((await keysUnder(client, prefix)).map(async (key) => (await client.pttl(key)) / 1000)),
    cleanup: async () => {
      for (const store of stores) await store.close();
      await deletePrefix(client, prefix);
    },
  };
});
