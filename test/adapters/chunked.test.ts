// Chunked cookie sessions over real HTTP, through the node:http adapter and the Fetch adapter: a client that
// keeps a cookie jar (Max-Age=0 deletes) ends up with exactly the chunks the session needs after growth,
// shrink and logout, and other code's Set-Cookie lines are kept.
import { type IncomingMessage, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchSessions } from "../../src/adapters/fetch/with-sessions.ts";
import { CookieStore, generateRandomKey, nodeContext, sessions } from "../../src/index.ts";
import { CookieClient } from "./cookie-client.ts";
import type { RunningExample } from "./example-contract.ts";
import { serveFetch } from "./node-server.ts";

/** What the apps answer: `/size/<n>` stores a blob of n characters, `/read` its length, `/logout` destroys. */
type Answer = (path: string, session: Awaited<ReturnType<ReturnType<typeof sessions>["get"]>>) => Promise<string>;

const answer: Answer = async (path, session) => {
  const size = /^\/size\/(\d+)$/.exec(path);
  if (size !== null) {
    session.set("blob", "x".repeat(Number(size[1])));
    await session.save();
    return "stored";
  }
  if (path === "/logout") {
    await session.destroy();
    return "bye";
  }
  return String(session.getString("blob")?.length ?? 0);
};

function nodeApp(store: CookieStore): Promise<RunningExample> {
  const big = sessions("big", store);
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    res.setHeader("Set-Cookie", ["theirs=1; Path=/"]);
    const body = await answer(req.url ?? "/", await big.get(nodeContext(req, res)));
    res.end(body);
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      }),
    ),
  );
}

function fetchApp(store: CookieStore): Promise<RunningExample> {
  const big = sessions("big", store);
  return serveFetch(
    fetchSessions(async (request) => {
      const body = await answer(new URL(request.url).pathname, await big.get(request));
      return new Response(body, { headers: { "Set-Cookie": "theirs=1; Path=/" } });
    }),
  );
}

describe.each([
  ["node:http", nodeApp],
  ["Fetch", fetchApp],
] as const)("chunked cookie sessions through the %s adapter", (_label, start) => {
  let app: RunningExample;
  beforeAll(async () => {
    const store = new CookieStore({ hashKey: generateRandomKey(64), blockKey: generateRandomKey(32), chunking: { maxBytes: 16_000 } });
    app = await start(store);
  });
  afterAll(() => app.close());

  const jarNames = (client: CookieClient) => [...client.jar.keys()].filter((name) => name !== "theirs").sort();

  it("leaves the jar with exactly the chunks needed after growth, shrink and logout", async () => {
    const client = new CookieClient(app.url);
    await client.request("/size/100");
    expect(jarNames(client)).toEqual(["big"]);
    const grown = await client.request("/size/5000");
    expect(grown.setCookies.map((line) => line.split("=")[0])).toEqual(["theirs", "big", "big.1", "big.2"]);
    expect(jarNames(client)).toEqual(["big", "big.1", "big.2"]);
    expect((await client.request("/read")).body).toBe("5000");
    const shrunk = await client.request("/size/3000");
    expect(shrunk.setCookies.filter((line) => /Max-Age=0/.test(line)).map((line) => line.split("=")[0])).toEqual(["big.2"]);
    expect(jarNames(client)).toEqual(["big", "big.1"]);
    expect((await client.request("/read")).body).toBe("3000");
    await client.request("/size/10");
    expect(jarNames(client)).toEqual(["big"]);
    await client.request("/size/5000");
    const out = await client.request("/logout");
    expect(out.setCookies.filter((line) => /Max-Age=0/.test(line)).map((line) => line.split("=")[0])).toEqual(["big", "big.1", "big.2"]);
    expect(jarNames(client)).toEqual([]);
    expect(client.jar.get("theirs")).toBe("1");
    expect((await client.request("/read")).body).toBe("0");
  });

  it("answers a request whose chunks were tampered with as a fresh session, and heals the jar on the next save", async () => {
    const client = new CookieClient(app.url);
    await client.request("/size/5000");
    client.jar.delete("big.1");
    expect((await client.request("/read")).body).toBe("0");
    await client.request("/size/100");
    expect(jarNames(client)).toEqual(["big"]);
  });
});
