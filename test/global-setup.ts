import { createConnection } from "node:net";
import { type ThrowawayRedis, startThrowawayRedis } from "./redis/server.ts";

/** Tells whether a Redis answers PING on 127.0.0.1:6379 (the default the Redis tests use). */
async function defaultRedisAnswers(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port: 6379 });
    socket.setTimeout(1000);
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => (socket.destroy(), resolve(data.toString().startsWith("+PONG"))));
    socket.once("timeout", () => (socket.destroy(), resolve(false)));
    socket.once("error", () => resolve(false));
  });
}

let throwaway: ThrowawayRedis | undefined;

/**
 * Makes sure the Redis tests have a server, so `npm test` works as it is on a machine with `redis-server`
 * installed: `REDIS_URL` when set, else a Redis on 127.0.0.1:6379, else a throwaway `redis-server` on a free
 * loopback port for this run (its URL handed to the test workers as `REDIS_URL`).
 */
export async function setup(): Promise<void> {
  if (process.env["REDIS_URL"] !== undefined || (await defaultRedisAnswers())) return;
  try {
    throwaway = await startThrowawayRedis();
  } catch (cause) {
    throw new Error(
      "The Redis store tests need a Redis server: none answers on 127.0.0.1:6379 and `redis-server` could not be started " +
        `(${(cause as Error).message}). Install it (e.g. \`apt-get install redis-server\`), start one, or set REDIS_URL.`,
      { cause },
    );
  }
  process.env["REDIS_URL"] = throwaway.url;
  console.log(`No Redis on 127.0.0.1:6379: started a throwaway redis-server at ${throwaway.url} for this run.`);
}

/** Stops the throwaway server, if this run started one. */
export async function teardown(): Promise<void> {
  await throwaway?.stop();
}
