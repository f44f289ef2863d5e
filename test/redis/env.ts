import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { redisClientOptions } from "../../src/stores/redis/redis-client.ts";

/** The Redis the tests use: `REDIS_URL`, default the local one that `.ci/run` starts. */
export const REDIS_URL = process.env["REDIS_URL"] ?? "redis://127.0.0.1:6379";

/** Returns a key prefix no other test file (or app) uses, so tests never touch foreign keys. */
export function testPrefix(label: string): string {
  return `typed-sessions-test:${label}:${randomBytes(6).toString("hex")}:`;
}

/** Connects to {@link REDIS_URL} with the store's recommended client options and a short command timeout. */
export function connect(url: string = REDIS_URL, commandTimeout = 1000): Redis {
  const client = new Redis(url, redisClientOptions(commandTimeout));
  client.on("error", () => {
    // Reconnection attempts are expected in the outage tests; failures surface as rejected commands.
  });
  return client;
}

/** Deletes every key under `prefix` (test cleanup), with SCAN. */
export async function deletePrefix(client: Redis, prefix: string): Promise<void> {
  const keys = await keysUnder(client, prefix);
  if (keys.length > 0) await client.del(...keys);
}

/** Lists every key under `prefix`, following the SCAN cursor to the end. */
export async function keysUnder(client: Redis, prefix: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = "0";
  do {
    const [next, keys] = await client.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
    cursor = next;
    found.push(...keys);
  } while (cursor !== "0");
  return found.sort();
}
