// typed-sessions/redis: the Redis store, kept out of the main entry so that cookie and filesystem users
// never load ioredis (an optional peer dependency). Explicit named exports only.
export { RedisStore, createRedisStore, DEFAULT_REDIS_PREFIX } from "./stores/redis/redis-store.ts";
export type { RedisStoreOptions } from "./stores/redis/redis-store.ts";
export { redisClientOptions, redisClusterOptions, DEFAULT_COMMAND_TIMEOUT } from "./stores/redis/redis-client.ts";
export type { RedisClientOptions, RedisClusterOptions } from "./stores/redis/redis-client.ts";
export { RedisBackend } from "./stores/redis/redis-backend.ts";
export type { RedisBackendOptions } from "./stores/redis/redis-backend.ts";
