import { once } from "node:events";
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nodeContext } from "../../src/http/node.ts";
import { sessions } from "../../src/session/manager.ts";
import { RedisStore } from "../../src/stores/redis/redis-store.ts";
import { connect, deletePrefix, testPrefix } from "../redis/env.ts";

const prefix = testPrefix("servers");
const keys = { hashKey: "h".repeat(32), blockKey: "b".repeat(32) };
const client = connect();

/**
 * One app server: its own RedisStore (and ioredis client) over the shared Redis and keys.
 * GET /read → the session's `user` and `visits`; POST /visit → visits + 1; POST /login?user=… → sets user;
 * POST /logout → destroys the session. Every response says which server answered.
 */
function appServer(label: string): { server: Server; store: RedisStore } {
  const store = new RedisStore({ url: process.env["REDIS_URL"] ?? "redis://127.0.0.1:6379", prefix, ...keys });
  const app = sessions("sid", store);
  const server = createServer(async (req, res) => {
    try {
      const ctx = nodeContext(req, res);
      const session = await app.get(ctx);
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      if (url.pathname === "/login") session.set("user", url.searchParams.get("user"));
      if (url.pathname === "/visit") session.set("visits", (session.getInt("visits") ?? 0) + 1);
      if (url.pathname === "/logout") await session.destroy();
      else await session.save(ctx);
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ server: label, id: session.id, user: session.get("user") ?? null, visits: session.get("visits") ?? 0 }));
    } catch (err) {
      res.statusCode = 500;
      res.end(String(err));
    }
  });
  return { server, store };
}

async function listen(server: Server): Promise<string> {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const a = appServer("A");
const b = appServer("B");
let urlA: string;
let urlB: string;

beforeAll(async () => {
  [urlA, urlB] = await Promise.all([listen(a.server), listen(b.server)]);
});
afterAll(async () => {
  for (const { server, store } of [a, b]) {
    server.close();
    await store.close();
  }
  await deletePrefix(client, prefix);
  client.disconnect();
});

describe("two app servers sharing one Redis", () => {
  it("reads, changes and destroys through B a session written through A", async () => {
    let cookie = "";
    async function call(base: string, path: string): Promise<{ server: string; id: string; user: string | null; visits: number }> {
      const res = await fetch(`${base}${path}`, { method: "POST", headers: cookie === "" ? {} : { cookie } });
      expect(res.status).toBe(200);
      for (const line of res.headers.getSetCookie()) {
        const [pair = ""] = line.split(";");
        cookie = /Max-Age=0/i.test(line) ? "" : pair;
      }
      return (await res.json()) as { server: string; id: string; user: string | null; visits: number };
    }

    const login = await call(urlA, "/login?user=kataras");
    expect(login).toMatchObject({ server: "A", user: "kataras" });
    expect(await client.exists(`${prefix}${login.id}`)).toBe(1);

    const read = await call(urlB, "/read");
    expect(read).toMatchObject({ server: "B", id: login.id, user: "kataras", visits: 0 });

    expect(await call(urlB, "/visit")).toMatchObject({ server: "B", id: login.id, visits: 1 });
    expect(await call(urlA, "/read")).toMatchObject({ server: "A", id: login.id, user: "kataras", visits: 1 });

    await call(urlB, "/logout");
    expect(cookie).toBe("");
    expect(await client.exists(`${prefix}${login.id}`)).toBe(0);
    const after = await call(urlA, "/read");
    expect(after).toMatchObject({ server: "A", user: null, visits: 0 });
    expect(after.id).not.toBe(login.id);
  });
});
