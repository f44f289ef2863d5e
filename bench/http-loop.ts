// The in-process cost of an HTTP case's handler: the very handler its server runs, called in a loop on node's
// own IncomingMessage / ServerResponse objects with no socket (headers are formatted, nothing is sent), so
// the benchmark can show what the same work costs inside a server under load.
import { IncomingMessage, ServerResponse } from "node:http";
import { Socket } from "node:net";
import { type HttpCase, makeApp } from "./http-server.ts";

/** The cases whose handler finishes when its promise does (express-session answers from a callback). */
export const LOOP_CASES = [
  "none",
  "raw-cookie",
  "gorilla-cookie",
  "ts-cookie",
  "ts-cookie-signed",
  "ts-cookie-base",
  "ts-cookie-read",
  "ts-cookie-read-base",
] as const satisfies readonly HttpCase[];

const socket = new Socket();

async function call(handler: (req: IncomingMessage, res: ServerResponse) => unknown, cookie: string | undefined) {
  const req = new IncomingMessage(socket);
  req.method = "GET";
  req.url = "/";
  if (cookie !== undefined) req.headers = { cookie };
  const res = new ServerResponse(req);
  await handler(req, res);
  return res;
}

/**
 * Returns the median time of one request through `name`'s handler, in microseconds, over `rounds` rounds of
 * `requests` requests, each sending the cookie of an existing session (as autocannon does).
 */
export async function handlerMicros(name: (typeof LOOP_CASES)[number], requests = 20_000, rounds = 5): Promise<number> {
  const app = await makeApp(name);
  const first = await call(app.handler, undefined);
  const setCookie = first.getHeader("set-cookie");
  const lines = setCookie === undefined ? [] : Array.isArray(setCookie) ? setCookie : [String(setCookie)];
  const cookie = lines.length === 0 ? undefined : lines.map((line) => line.split(";")[0]).join("; ");
  const samples: number[] = [];
  for (let round = 0; round <= rounds; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < requests; i++) await call(app.handler, cookie);
    if (round > 0) samples.push(Number(process.hrtime.bigint() - start) / requests / 1000); // round 0 warms up
  }
  app.cleanup?.();
  return samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)] ?? Number.NaN;
}
