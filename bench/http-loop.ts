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
 * Returns the median time of one request through each of `names`' handlers, in microseconds, over `rounds`
 * rounds of `requests` requests each sending the cookie of an existing session (as autocannon does). The
 * cases take turns within every round (each round starting at the next case), so that a busy neighbour
 * slows them alike and their ratios hold even when the figures move.
 */
export async function handlerMicrosEach<N extends (typeof LOOP_CASES)[number]>(
  names: readonly N[],
  requests = 5_000,
  rounds = 15,
): Promise<Map<N, number>> {
  const prepared: { name: N; handler: (req: IncomingMessage, res: ServerResponse) => unknown; cookie: string | undefined; cleanup?: () => void }[] = [];
  for (const name of names) {
    const app = await makeApp(name);
    const first = await call(app.handler, undefined);
    const setCookie = first.getHeader("set-cookie");
    const lines = setCookie === undefined ? [] : Array.isArray(setCookie) ? setCookie : [String(setCookie)];
    const cookie = lines.length === 0 ? undefined : lines.map((line) => line.split(";")[0]).join("; ");
    prepared.push({ name, handler: app.handler, cookie, ...(app.cleanup === undefined ? {} : { cleanup: app.cleanup }) });
  }
  const samples = prepared.map(() => [] as number[]);
  for (let round = 0; round <= rounds; round++) {
    for (let turn = 0; turn < prepared.length; turn++) {
      const index = (round + turn) % prepared.length;
      const { handler, cookie } = prepared[index]!;
      const start = process.hrtime.bigint();
      for (let i = 0; i < requests; i++) await call(handler, cookie);
      if (round > 0) samples[index]?.push(Number(process.hrtime.bigint() - start) / requests / 1000); // round 0 warms up
    }
  }
  for (const p of prepared) p.cleanup?.();
  return new Map(prepared.map((p, index) => [p.name, samples[index]!.sort((a, b) => a - b)[Math.floor(samples[index]!.length / 2)] ?? Number.NaN]));
}

/** {@link handlerMicrosEach} for one case. */
export async function handlerMicros(name: (typeof LOOP_CASES)[number], requests = 5_000, rounds = 15): Promise<number> {
  return (await handlerMicrosEach([name], requests, rounds)).get(name) ?? Number.NaN;
}
