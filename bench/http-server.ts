// The HTTP benchmark's server process: `tsx bench/http-server.ts <case>` starts the same tiny node:http app
// (read a counter from the session, increment, save, answer with it) on 127.0.0.1, port 0, and sends the
// port to its parent over IPC. One process per case, so the load generator runs on the other core.
// The typed-sessions cases load a built library: BENCH_TS_DIST (default: this checkout's dist/), and for
// the "-base" cases BENCH_TS_BASE_DIST (e.g. a checkout of an older commit, built), so one run compares two
// builds on the same handler.
import { mkdtempSync, rmSync } from "node:fs";
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import expressSession from "express-session";
import { getIronSession } from "iron-session";

/** The cases, in the order the benchmark runs and prints them. */
export const HTTP_CASES = [
  "none",
  "raw-cookie",
  "gorilla-cookie",
  "ts-cookie",
  "ts-cookie-signed",
  "ts-cookie-base",
  "ts-cookie-read",
  "ts-cookie-read-base",
  "ts-fs",
  "express-session",
  "express-session-30d",
  "iron-session",
] as const;
/** One benchmark case. */
export type HttpCase = (typeof HTTP_CASES)[number];

/** The cases that run the build BENCH_TS_BASE_DIST names (left out of a full run without it). */
export const BASE_CASES: readonly HttpCase[] = ["ts-cookie-base", "ts-cookie-read-base"];

/** The cases whose session is unchanged once it exists: their save writes nothing (no Set-Cookie). */
export const UNCHANGED_CASES: readonly HttpCase[] = ["ts-cookie-read", "ts-cookie-read-base"];

/** The build a typed-sessions case loads: BENCH_TS_BASE_DIST for the "-base" cases, else BENCH_TS_DIST (default this checkout's). */
export function buildSpecOf(name: HttpCase): string | undefined {
  if (!BASE_CASES.includes(name)) return process.env["BENCH_TS_DIST"];
  const base = process.env["BENCH_TS_BASE_DIST"];
  if (base === undefined || base === "") throw new Error(`${name} needs BENCH_TS_BASE_DIST: a built checkout to compare with (e.g. /tmp/old-ts after npm run build there)`);
  return base;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;
export interface App {
  handler: Handler;
  cleanup?: () => void;
}

/** The keys of every cookie case: (b₀), (b₁), (b) and (b′) sign and encrypt with the same sizes. */
export const HASH_KEY = Buffer.alloc(64, 7);
export const BLOCK_KEY = Buffer.alloc(32, 9);
const IRON_PASSWORD = "a-benchmark-password-of-at-least-32-characters";

function answer(res: ServerResponse, count: number): void {
  res.writeHead(200, { "content-type": "text/plain" });
  res.end(String(count));
}

function none(): App {
  let count = 0;
  return { handler: (_req, res) => answer(res, ++count) };
}

/** express-session + MemoryStore; `maxAgeMs` gives it a persistent cookie like (b)'s 30 days, re-sent on change. */
function expressSessionApp(maxAgeMs?: number): App {
  const middleware = expressSession({
    secret: IRON_PASSWORD,
    resave: false,
    saveUninitialized: false,
    store: new expressSession.MemoryStore(),
    ...(maxAgeMs === undefined ? {} : { cookie: { maxAge: maxAgeMs } }),
  });
  return {
    handler: (req, res) => {
      void middleware(req as never, res as never, () => {
        const session = (req as unknown as { session: expressSession.Session & { count?: number } }).session;
        session.count = (session.count ?? 0) + 1;
        answer(res, session.count);
      });
    },
  };
}

function ironSessionApp(): App {
  return {
    handler: async (req, res) => {
      const session = await getIronSession<{ count?: number }>(req, res, { cookieName: "iron", password: IRON_PASSWORD });
      session.count = (session.count ?? 0) + 1;
      await session.save();
      answer(res, session.count);
    },
  };
}

async function typedSessionsApp(name: HttpCase, kind: "cookie" | "cookie-signed" | "cookie-read" | "fs"): Promise<App> {
  const { loadTypedSessions, tsApp, tsReadApp } = await import("./http-ts-app.ts");
  const lib = await loadTypedSessions(buildSpecOf(name));
  if (kind === "cookie") return { handler: tsApp(lib, { kind, hashKey: HASH_KEY, blockKey: BLOCK_KEY }, answer) };
  if (kind === "cookie-read") return { handler: tsReadApp(lib, { kind: "cookie", hashKey: HASH_KEY, blockKey: BLOCK_KEY }, answer) };
  if (kind === "cookie-signed") return { handler: tsApp(lib, { kind: "cookie", hashKey: HASH_KEY, blockKey: undefined }, answer) };
  const dir = mkdtempSync(join(tmpdir(), "ts-bench-fs-"));
  return {
    handler: tsApp(lib, { kind, hashKey: HASH_KEY, blockKey: BLOCK_KEY, dir }, answer),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export async function makeApp(name: HttpCase): Promise<App> {
  switch (name) {
    case "none":
      return none();
    case "raw-cookie": {
      const { rawCookieApp } = await import("./http-raw-app.ts");
      return { handler: rawCookieApp(HASH_KEY, BLOCK_KEY, answer) };
    }
    case "gorilla-cookie": {
      const { gorillaCookieApp } = await import("./http-gorilla-app.ts");
      return { handler: gorillaCookieApp(HASH_KEY, BLOCK_KEY, answer) };
    }
    case "ts-cookie":
    case "ts-cookie-base":
      return typedSessionsApp(name, "cookie");
    case "ts-cookie-signed":
      return typedSessionsApp(name, "cookie-signed");
    case "ts-cookie-read":
    case "ts-cookie-read-base":
      return typedSessionsApp(name, "cookie-read");
    case "ts-fs":
      return typedSessionsApp(name, "fs");
    case "express-session":
      return expressSessionApp();
    case "express-session-30d":
      return expressSessionApp(30 * 24 * 60 * 60 * 1000);
    case "iron-session":
      return ironSessionApp();
  }
}

async function main(): Promise<void> {
  const name = process.argv[2] as HttpCase;
  if (!HTTP_CASES.includes(name)) throw new Error(`unknown case ${String(name)}; one of ${HTTP_CASES.join(", ")}`);
  const app = await makeApp(name);
  const server: Server = createServer((req, res) => {
    Promise.resolve(app.handler(req, res)).catch((err: unknown) => {
      console.error(err);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  server.keepAliveTimeout = 30_000;
  server.listen(0, "127.0.0.1", () => {
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("no port");
    process.send?.({ port: address.port });
  });
  const stop = () => {
    server.close(() => {
      app.cleanup?.();
      process.exit(0);
    });
    server.closeAllConnections();
  };
  process.on("SIGTERM", stop);
  process.on("disconnect", stop);
}

if (process.argv[1]?.endsWith("http-server.ts")) await main();
