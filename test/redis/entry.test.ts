import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import * as redisEntry from "../../src/redis.ts";

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), "../../src");

/** Follows every static and dynamic import from `entry`; returns the bare package names reached. */
function packagesReached(entry: string): Set<string> {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const pending = [entry];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, "utf8");
    for (const match of text.matchAll(/(?:from|import)\s*\(?\s*["']([^"']+)["']/g)) {
      const spec = match[1] ?? "";
      if (spec.startsWith(".")) pending.push(resolve(dirname(file), spec));
      else packages.add(spec);
    }
  }
  return packages;
}

describe("the typed-sessions/redis entry", () => {
  it("is the only entry that loads ioredis", () => {
    expect(packagesReached(resolve(SRC, "index.ts"))).not.toContain("ioredis");
    expect(packagesReached(resolve(SRC, "redis.ts"))).toContain("ioredis");
  });

  it("exports the Redis store pieces by name", () => {
    expect(Object.keys(redisEntry).sort()).toEqual([
      "DEFAULT_COMMAND_TIMEOUT",
      "DEFAULT_REDIS_PREFIX",
      "RedisBackend",
      "RedisStore",
      "createRedisStore",
      "redisClientOptions",
      "redisClusterOptions",
    ]);
  });
});
