import type { AddressInfo } from "node:net";
import express from "express";
import { describe, expect, it } from "vitest";
import { CookieStore, generateRandomKey, sessions } from "../../src/index.ts";
import { expressContext, sessionMiddleware } from "../../src/adapters/express.ts";
import { createApp } from "../../examples/express/server.ts";
import { CookieClient } from "./cookie-client.ts";
import { type RunningExample, describeExample } from "./example-contract.ts";

async function listen(app: express.Express): Promise<RunningExample> {
  const server = app.listen(0, "127.0.0.1");
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describeExample("Express", (store) => listen(createApp(store)));

describe("the Express middleware", () => {
  const store = () => new CookieStore({ hashKey: generateRandomKey(64) });

  it("sets the cookie when headers are written by hand (writeHead + write + end)", async () => {
    const server = await listen(createApp(store()));
    try {
      const client = new CookieClient(server.url);
      const first = await client.request("/stream");
      expect(first.body).toBe("visits: 1");
      expect(first.setCookies).toHaveLength(1);
      expect((await client.request("/stream")).body).toBe("visits: 2");
    } finally {
      await server.close();
    }
  });

  it("saves on demand without saveAll", async () => {
    const counter = sessions("counter", store());
    const app = express();
    app.use(sessionMiddleware());
    app.get("/", async (req, res) => {
      const session = await req.sessions.get(counter);
      const n = session.increment("n");
      if (req.query["save"] === "1") await session.save(expressContext(req));
      res.send(String(n));
    });
    const server = await listen(app);
    try {
      const client = new CookieClient(server.url);
      expect((await client.request("/")).setCookies).toEqual([]);
      expect((await client.request("/?save=1")).body).toBe("1");
      expect((await client.request("/?save=1")).body).toBe("2");
    } finally {
      await server.close();
    }
  });

  it("answers 500 and tells onSaveError when saveAll fails", async () => {
    class FailingStore extends CookieStore {
      override save(): Promise<void> {
        return Promise.reject(new Error("disk full"));
      }
    }
    const failing = new FailingStore({ hashKey: generateRandomKey(64) });
    const seen: unknown[] = [];
    const app = express();
    app.use(sessionMiddleware({ saveAll: true, onSaveError: (err) => seen.push(err) }));
    app.get("/", async (req, res) => {
      (await req.sessions.get(sessions("s", failing))).set("a", 1);
      res.send("saved?");
    });
    const server = await listen(app);
    try {
      const response = await new CookieClient(server.url).request("/");
      expect(response.status).toBe(500);
      expect(response.body).toBe("Internal Server Error");
      expect(String(seen[0])).toContain("disk full");
    } finally {
      await server.close();
    }
  });

  it("throws missing_middleware from expressContext without the middleware", () => {
    expect(() => expressContext({} as express.Request)).toThrow(expect.objectContaining({ code: "missing_middleware" }));
  });
});
