import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Redis } from "ioredis";
import { connect } from "../redis/env.ts";
import { describeStoreContract } from "./contract.ts";
import { redisHarness } from "./harnesses.ts";

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

  describeStoreContract("RedisStore on Valkey", redisHarness(() => client, "valkey-contract"));
});
