import { CookieStore, FilesystemStore, type Store } from "typed-sessions";
import type { DemoKeys } from "./keys.ts";

/** The stores the demo can run on, chosen with `SESSION_STORE`. */
export type DemoStoreKind = "cookie" | "fs" | "redis";

/**
 * Creates the demo's store: `cookie` (default) keeps everything in the cookie; `fs` keeps data in files in
 * `./.sessions`. Add a backend by adding a case here (`redis` is the extension point for the Redis store).
 */
export async function createDemoStore(kind: string | undefined, keys: DemoKeys): Promise<Store> {
  const common = { hashKey: keys.hashKey, blockKey: keys.blockKey };
  switch ((kind ?? "cookie") as DemoStoreKind) {
    case "cookie":
      // Encrypted with the block key; an environment with only SESSION_HASH_KEY asks for readable cookies.
      return new CookieStore({ ...common, signedOnly: keys.blockKey === undefined });
    case "fs":
      return new FilesystemStore({ ...common, dir: "./.sessions", sweepInterval: 3600 });
    case "redis": {
      // Loaded only here, so the cookie and fs demos never load ioredis. REDIS_URL picks the server.
      const { createRedisStore } = await import("typed-sessions/redis");
      return createRedisStore({ ...common, url: process.env["REDIS_URL"] ?? "redis://127.0.0.1:6379" });
    }
    default:
      throw new Error(`SESSION_STORE must be cookie, fs or redis, got ${JSON.stringify(kind)}.`);
  }
}
