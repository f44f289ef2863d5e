import { type IncomingMessage, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { describe, expect, it } from "vitest";
import { CookieStore, csrfToken, generateRandomKey, sessions, verifyCsrfToken } from "../../src/index.ts";
import { expressSessions } from "../../src/adapters/express/middleware.ts";
import { MemoryStore } from "../../src/stores/memory-store.ts";
import type { PreparedWrite, RecordWrite } from "../../src/stores/store.ts";
import { createApp } from "../../examples/express/server.ts";
import { BOUND, expectBoundLifecycle, runBoundStep } from "./bound-scenario.ts";
import { CookieClient } from "./cookie-client.ts";
import { CSRF_FIELD, csrfForm, expectCsrfFlow } from "./csrf-scenario.ts";
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

/** Serves `handler` on plain node:http, with no framework, to compare the held-back response with. */
async function listenPlain(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<RunningExample> {
  const server = createServer(handler);
  server.listen(0, "127.0.0.1");
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Runs `step`, returning the code of what it threw ("-" when it did not throw). */
function thrownCode(step: () => unknown): string {
  try {
    step();
    return "-";
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? String(err);
  }
}

describe("the Express middleware", () => {
  const store = () => new CookieStore({ signedOnly: true, hashKey: generateRandomKey(64) });

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
      override async prepare(write: RecordWrite): Promise<PreparedWrite> {
        return { cookieValue: (await super.prepare(write)).cookieValue, commit: () => Promise.reject(new Error("disk full")) };
      }
    }
    const failing = new FailingStore({ signedOnly: true, hashKey: generateRandomKey(64) });
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
      override async prepare(write: RecordWrite): Promise<PreparedWrite> {
        return { cookieValue: (await super.prepare(write)).cookieValue, commit: () => Promise.reject(new Error("disk full")) };
      }
    }
    const failing = sessions("s", new FailingStore({ signedOnly: true, hashKey: generateRandomKey(64) }));
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

  it("with saveAll, a handler that changes its session and then throws saves nothing", async () => {
    const memory = new MemoryStore({ hashKey: generateRandomKey(64) });
    const counter = sessions("counter", memory);
    const app = express();
    app.use(expressSessions({ saveAll: true }));
    app.get("/", async (req) => {
      (await counter.get(req)).increment("n");
      throw new Error("handler failed");
    });
    app.get("/handled", async (req, res, next) => {
      (await counter.get(req)).increment("n");
      next(new Error("handler failed"));
    });
    app.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      if (_req.path === "/handled") res.status(503).send(err.message);
      else _next(err); // Express's own 500
    });
    const server = await listen(app);
    try {
      const client = new CookieClient(server.url);
      const thrown = await client.request("/");
      expect([thrown.status, thrown.setCookies]).toEqual([500, []]);
      const handled = await client.request("/handled");
      expect([handled.status, handled.body, handled.setCookies]).toEqual([503, "handler failed", []]);
      expect(memory.backend.size).toBe(0);
    } finally {
      await server.close();
      await memory.close();
    }
  });

  it("throws missing_middleware from get for an object that is no request", async () => {
    await expect(sessions("s", store()).get({} as express.Request)).rejects.toThrow(expect.objectContaining({ code: "missing_middleware" }));
  });

  it("renders a session-bound CSRF token and refuses a POST without it with 403", async () => {
    const guarded = sessions("csrf", store());
    const app = express();
    app.use(expressSessions({ saveAll: true }));
    app.use(express.urlencoded({ extended: false }));
    app.get("/form", async (req, res) => {
      res.type("html").send(csrfForm(csrfToken(await guarded.get(req))));
    });
    app.post("/submit", async (req, res) => {
      const ok = verifyCsrfToken(await guarded.get(req), (req.body as Record<string, unknown>)[CSRF_FIELD]);
      res.status(ok ? 200 : 403).send(ok ? "accepted" : "Forbidden");
    });
    const server = await listen(app);
    try {
      await expectCsrfFlow(server.url);
    } finally {
      await server.close();
    }
  });
});

// express-session's res.end / res.writeHead cases (its test/session.js), with saveAll holding the response back.
describe("the Express middleware with saveAll, as node:http behaves", () => {
  async function withApp(
    handle: (req: express.Request, res: express.Response) => void,
    check: (client: CookieClient, memory: MemoryStore) => Promise<void>,
  ): Promise<void> {
    const memory = new MemoryStore({ hashKey: generateRandomKey(64) });
    const counter = sessions("counter", memory);
    const app = express();
    app.use(expressSessions({ saveAll: true }));
    app.get("/", async (req, res) => {
      (await counter.get(req)).increment("hits");
      handle(req, res);
    });
    const server = await listen(app);
    try {
      await check(new CookieClient(server.url), memory);
    } finally {
      await server.close();
      await memory.close();
    }
  }

  it("handles multiple res.end calls", async () => {
    await withApp(
      (_req, res) => {
        res.setHeader("Content-Type", "text/plain");
        res.end("Hello, world!");
        res.end();
      },
      async (client, memory) => {
        const response = await fetch(client.baseUrl);
        expect([response.status, response.headers.get("content-type"), await response.text()]).toEqual([200, "text/plain", "Hello, world!"]);
        expect(response.headers.getSetCookie()).toHaveLength(1);
        expect(memory.backend.size).toBe(1);
      },
    );
  });

  it("handles res.end(null)", async () => {
    await withApp(
      (_req, res) => res.end(null),
      async (client) => {
        const response = await client.request("/");
        expect([response.status, response.body, response.setCookies.length]).toEqual([200, "", 1]);
      },
    );
  });

  it.each([
    ["an empty response", "0", (res: express.Response) => res.end(), ""],
    ["a multi-write response", "12", (res: express.Response) => (res.write("hello, "), res.end("world")), "hello, world"],
    ["a non-chunked response", "13", (res: express.Response) => res.end("session saved"), "session saved"],
  ])("saves the session with %s (Content-Length: %s)", async (_what, length, send, body) => {
    await withApp(
      (_req, res) => {
        res.setHeader("Content-Length", length);
        send(res);
      },
      async (client, memory) => {
        const response = await fetch(client.baseUrl);
        expect([response.status, response.headers.get("content-length"), await response.text()]).toEqual([200, length, body]);
        expect(response.headers.getSetCookie()).toHaveLength(1);
        expect(memory.backend.size).toBe(1);
      },
    );
  });

  it("sees the response as sent and ended after res.end(), as node:http does: setHeader and writeHead throw, a second end is ignored", async () => {
    const probe = (res: ServerResponse, seen: string[]) => {
      res.setHeader("Content-Type", "text/plain");
      res.end("hello");
      seen.push(`headersSent=${res.headersSent} writableEnded=${res.writableEnded}`);
      seen.push(`setHeader:${thrownCode(() => res.setHeader("Content-Length", "0"))}`);
      seen.push(`removeHeader:${thrownCode(() => res.removeHeader("Content-Type"))}`);
      seen.push(`writeHead:${thrownCode(() => res.writeHead(404))}`);
      res.statusCode = 404; // ignored once the headers are out
      seen.push(`second end returns res:${res.end() === res}`);
    };
    const results: Array<{ seen: string[]; status: number; type: string | null; length: string | null; body: string; cookies: number }> = [];
    for (const serve of ["node:http", "express"] as const) {
      const seen: string[] = [];
      const counter = sessions("counter", new CookieStore({ signedOnly: true, hashKey: generateRandomKey(64) }));
      let server: RunningExample;
      if (serve === "node:http") {
        server = await listenPlain((_req, res) => probe(res, seen));
      } else {
        const app = express();
        app.disable("x-powered-by");
        app.use(expressSessions({ saveAll: true }));
        app.get("/", async (req, res) => {
          (await counter.get(req)).increment("hits");
          probe(res, seen);
        });
        server = await listen(app);
      }
      try {
        const response = await fetch(server.url);
        results.push({
          seen,
          status: response.status,
          type: response.headers.get("content-type"),
          length: response.headers.get("content-length"),
          body: await response.text(),
          cookies: response.headers.getSetCookie().length,
        });
      } finally {
        await server.close();
      }
    }
    const [plain, held] = results;
    expect(plain?.seen).toEqual([
      "headersSent=true writableEnded=true",
      "setHeader:ERR_HTTP_HEADERS_SENT",
      "removeHeader:ERR_HTTP_HEADERS_SENT",
      "writeHead:ERR_HTTP_HEADERS_SENT",
      "second end returns res:true",
    ]);
    expect(held?.seen).toEqual(plain?.seen);
    expect(held).toMatchObject({ status: 200, type: "text/plain", length: "5", body: "hello", cookies: 1 });
    expect({ ...held, cookies: 0 }).toEqual(plain);
  });

  it("sends the held-back response when res.send after res.end fails as on node:http, and stays up", async () => {
    const failures: string[] = [];
    const counter = sessions("counter", new CookieStore({ signedOnly: true, hashKey: generateRandomKey(64) }));
    const app = express();
    app.use(expressSessions({ saveAll: true }));
    app.get("/", async (req, res) => {
      (await counter.get(req)).increment("hits");
      res.end("first");
      res.send("second, longer answer"); // node:http refuses its Content-Type: the headers are out
    });
    app.use((err: NodeJS.ErrnoException, _req: express.Request, _res: express.Response, _next: express.NextFunction) => {
      failures.push(err.code ?? err.message); // the response is already sent: nothing more to do
    });
    const server = await listen(app);
    try {
      const client = new CookieClient(server.url);
      const response = await client.request("/");
      expect([response.status, response.body, response.setCookies.length]).toEqual([200, "first", 1]);
      expect(failures).toEqual(["ERR_HTTP_HEADERS_SENT"]);
      expect((await client.request("/")).body).toBe("first"); // still serving
    } finally {
      await server.close();
    }
  });

  it("preserves cookies set before writeHead is called", async () => {
    await withApp(
      (_req, res) => {
        res.setHeader("Set-Cookie", "previous=cookieValue; Path=/");
        res.end();
      },
      async (client) => {
        const response = await client.request("/");
        expect(response.setCookies.map((line) => line.split("=")[0])).toEqual(["previous", "counter"]);
      },
    );
  });

  it("preserves cookies set in writeHead, keeping the session's (a login answered by writeHead stays logged in)", async () => {
    await withApp(
      (_req, res) => {
        res.writeHead(200, { "Set-Cookie": "previous=cookieValue; Path=/", "Content-Type": "text/plain" });
        res.end("logged in");
      },
      async (client, memory) => {
        const first = await client.request("/");
        expect(first.setCookies.map((line) => line.split("=")[0])).toEqual(["previous", "counter"]);
        expect(first.body).toBe("logged in");
        expect(memory.backend.size).toBe(1);
        const second = await client.request("/");
        expect(second.setCookies.map((line) => line.split("=")[0])).toEqual(["previous", "counter"]);
        expect(memory.backend.size).toBe(1); // the same session, updated: the cookie of the first answer came back
      },
    );
  });

  it("applies writeHead's headers given as an array, appending its Set-Cookie lines", async () => {
    await withApp(
      (_req, res) => {
        res.writeHead(201, ["Set-Cookie", "a=1; Path=/", "Set-Cookie", "b=2; Path=/", "X-Mode", "raw"]);
        res.end();
      },
      async (client) => {
        const response = await fetch(client.baseUrl);
        expect([response.status, response.headers.get("x-mode")]).toEqual([201, "raw"]);
        expect(response.headers.getSetCookie().map((line) => line.split("=")[0])).toEqual(["a", "b", "counter"]);
      },
    );
  });

  it("sees the headers as sent after writeHead, as node:http does", async () => {
    const seen: string[] = [];
    await withApp(
      (_req, res) => {
        res.writeHead(200, { "Content-Type": "text/plain" });
        seen.push(`headersSent=${res.headersSent} writableEnded=${res.writableEnded}`);
        seen.push(`setHeader:${thrownCode(() => res.setHeader("X-Late", "1"))}`);
        res.end("ok");
      },
      async (client) => {
        const response = await fetch(client.baseUrl);
        expect([await response.text(), response.headers.get("x-late"), response.headers.getSetCookie().length]).toEqual(["ok", null, 1]);
        expect(seen).toEqual(["headersSent=true writableEnded=false", "setHeader:ERR_HTTP_HEADERS_SENT"]);
      },
    );
  });
});
