import { afterAll } from "vitest";
import { connect } from "../redis/env.ts";
import { describeStoreContract } from "./contract.ts";
import { redisHarness } from "./harnesses.ts";

const client = connect();
afterAll(() => client.disconnect());

describeStoreContract("RedisStore", redisHarness(() => client, "contract"));
