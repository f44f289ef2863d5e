import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { RunningExample } from "./example-contract.ts";

/** Serves a Fetch handler on 127.0.0.1, port 0, through @hono/node-server (what Bun or Deno would do natively). */
export async function serveFetch(fetch: (request: Request) => Response | Promise<Response>): Promise<RunningExample> {
  const server = serve({ fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
