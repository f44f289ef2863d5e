import type { AddressInfo } from "node:net";
import express from "express";
import { describe, expect, it } from "vitest";
import { CookieStore, generateRandomKey, sessions } from "../../src/index.ts";
import { expressSessions } from "../../src/adapters/express/middleware.ts";
import { MemoryStore } from "../../src/stores/memory-store.ts";
import type { PreparedWrite, RecordWrite } from "../../src/stores/store.ts";
import { createApp } from "../../examples/express/server.ts";
import { BOUND, expectBoundLifecycle, runBoundStep } from "./bound-scenario.ts";
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

  it("gets the session from Express's req; save(), regenerate() and destroy() with no argument set its cookie", async () => {
    const memory = new MemoryStore({ hashKey: generateRandomKey(64) });
    const bound = sessions(BOUND, memory);
    const app = express();
    app.use(expressSessions());
    app.get("/:step", async (req, res) => {
      res.type("text").send(await runBoundStep(req.params.step, () => bound.get(req)));
    });
    const server = await listen(app);
    try {
      await expectBoundLifecycle(server.url, memory.backend);
    } finally {
      await server.close();
      await memory.close();
    }
  });

  it("saves on demand without saveAll", async () => {
    const counter = sessions("counter", store());
    const app = express();
    app.use(expressSessions());
    app.get("/", async (req, res) => {
      const session = await counter.get(req);
      const n = session.increment("n");
      if (req.query["save"] === "1") await session.save();
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
      override prepare(write: RecordWrite): PreparedWrite {
        return { cookieValue: super.prepare(write).cookieValue, commit: () => Promise.reject(new Error("disk full")) };
      }
    }
    const failing = new FailingStore({ hashKey: generateRandomKey(64) });
    const seen: unknown[] = [];
    const app = express();
    app.use(expressSessions({ saveAll: true, onSaveError: (err) => seen.push(err) }));
    app.get("/", async (req, res) => {
      (await sessions("s", failing).get(req)).set("a", 1);
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

  it("with saveAll, a response node:http refuses goes to Express's error path and the server stays up", async () => {
    const counter = sessions("counter", store());
    const failures: string[] = [];
    const app = express();
    app.use(expressSessions({ saveAll: true }));
    app.get("/download", async (req, res) => {
      (await counter.get(req)).increment("downloads");
      res.writeHead(200, { "x-file-name": String(req.query["name"]) }); // node:http refuses non-Latin-1 here
      res.end("file");
    });
    app.get("/status", async (req, res) => {
      (await counter.get(req)).increment("n");
      res.statusCode = 9999;
      res.end("x");
    });
    app.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      failures.push((err as NodeJS.ErrnoException).code ?? err.message);
      res.status(500).send("handled");
    });
    const server = await listen(app);
    try {
      const client = new CookieClient(server.url);
      const refused = await client.request(`/download?name=${encodeURIComponent("日本.txt")}`);
      expect([refused.status, refused.body]).toEqual([500, "handled"]);
      const badStatus = await client.request("/status");
      expect([badStatus.status, badStatus.body]).toEqual([500, "handled"]);
      expect(failures).toEqual(["ERR_INVALID_CHAR", "ERR_HTTP_INVALID_STATUS_CODE"]);
      expect((await client.request("/download?name=ok.txt")).body).toBe("file"); // still serving
    } finally {
      await server.close();
    }
  });

  it("with saveAll, an onSaveError that throws goes to Express's error path instead of crashing", async () => {
    class FailingStore extends CookieStore {
      override prepare(write: RecordWrite): PreparedWrite {
        return { cookieValue: super.prepare(write).cookieValue, commit: () => Promise.reject(new Error("disk full")) };
      }
    }
    const failing = sessions("s", new FailingStore({ hashKey: generateRandomKey(64) }));
    const handled: string[] = [];
    const app = express();
    app.use(
      expressSessions({
        saveAll: true,
        onSaveError: () => {
          throw new Error("logger blew up");
        },
      }),
    );
    app.get("/", async (req, res) => {
      (await failing.get(req)).set("a", 1);
      res.send("saved?");
    });
    app.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      handled.push(err.message);
      res.status(503).send("try again");
    });
    const server = await listen(app);
    try {
      const response = await new CookieClient(server.url).request("/");
      expect([response.status, response.body]).toEqual([503, "try again"]);
      expect(handled).toEqual(["logger blew up"]);
    } finally {
      await server.close();
    }
  });

  it("throws missing_middleware from get for an object that is no request", async () => {
    await expect(sessions("s", store()).get({} as express.Request)).rejects.toThrow(expect.objectContaining({ code: "missing_middleware" }));
  });
});
