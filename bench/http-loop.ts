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

/** A `GET /` request sending `cookie`, and its response: node's own objects, on no socket (nothing is sent). */
export function exchange(cookie: string | undefined): [IncomingMessage, ServerResponse] {
  const req = new IncomingMessage(socket);
  req.method = "GET";
  req.url = "/";
  if (cookie !== undefined) req.headers = { cookie };
  return [req, new ServerResponse(req)];
}

/** One request through `handler` on node's own objects, sending `cookie`: the response, headers formatted, nothing sent. */
export async function callHandler(handler: (req: IncomingMessage, res: ServerResponse) => unknown, cookie: string | undefined) {
  const [req, res] = exchange(cookie);
  await handler(req, res);
  return res;
}

/** A handler to time in a loop, with the cookie its requests send (that of an existing session). */
export interface LoopHandler {
  readonly handler: (req: IncomingMessage, res: ServerResponse) => unknown;
  readonly cookie: string | undefined;
}

/** Calls `handler` once with no cookie and returns the `Cookie` header its `Set-Cookie` lines make (as a browser would send them). */
export async function firstCookie(handler: LoopHandler["handler"]): Promise<string | undefined> {
  const first = await callHandler(handler, undefined);
  const setCookie = first.getHeader("set-cookie");
  const lines = setCookie === undefined ? [] : Array.isArray(setCookie) ? setCookie : [String(setCookie)];
  return lines.length === 0 ? undefined : lines.map((line) => line.split(";")[0]).join("; ");
}

/**
 * Times `handlers` in turns: `rounds` rounds (after one warm-up round) of `requests` requests each, every
 * round starting at the next handler, so that a busy neighbour slows them alike. Returns, per handler, the
 * microseconds per request of each round, in round order (a round's figures are paired across handlers):
 * wall-clock time, and the process's CPU time (user + system), which another process on the same cores
 * moves less.
 */
export async function loopSamples(handlers: readonly LoopHandler[], requests = 5_000, rounds = 15): Promise<{ wall: number[][]; cpu: number[][] }> {
  const wall = handlers.map(() => [] as number[]);
  const cpu = handlers.map(() => [] as number[]);
  for (let round = 0; round <= rounds; round++) {
    for (let turn = 0; turn < handlers.length; turn++) {
      const index = (round + turn) % handlers.length;
      const { handler, cookie } = handlers[index]!;
      const cpuStart = process.cpuUsage();
      const start = process.hrtime.bigint();
      for (let i = 0; i < requests; i++) await callHandler(handler, cookie);
      const elapsed = Number(process.hrtime.bigint() - start) / 1000;
      const used = process.cpuUsage(cpuStart);
      if (round === 0) continue; // round 0 warms up
      wall[index]?.push(elapsed / requests);
      cpu[index]?.push((used.user + used.system) / requests);
    }
  }
  return { wall, cpu };
}

/** The median of `values` (the upper one of an even count). */
export function medianOf(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
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
    const cookie = await firstCookie(app.handler);
    prepared.push({ name, handler: app.handler, cookie, ...(app.cleanup === undefined ? {} : { cleanup: app.cleanup }) });
  }
  const samples = (await loopSamples(prepared, requests, rounds)).wall;
  for (const p of prepared) p.cleanup?.();
  return new Map(prepared.map((p, index) => [p.name, medianOf(samples[index] ?? [])]));
}

/** {@link handlerMicrosEach} for one case. */
export async function handlerMicros(name: (typeof LOOP_CASES)[number], requests = 5_000, rounds = 15): Promise<number> {
  return (await handlerMicrosEach([name], requests, rounds)).get(name) ?? Number.NaN;
}
