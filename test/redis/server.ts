import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createConnection, createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

/** A throwaway redis-server on 127.0.0.1 and an ephemeral port, for outage tests. */
export interface ThrowawayRedis {
  readonly port: number;
  readonly url: string;
  /** Kills the server (SIGKILL: like a crash, nothing saved) and waits until it has exited. */
  stop(): Promise<void>;
  /** Starts the server again on the same port and waits until it answers PING. */
  start(): Promise<void>;
  /** Freezes the server process (SIGSTOP): connections stay open but nothing answers. */
  pause(): void;
  /** Lets a paused server run again (SIGCONT). */
  resume(): void;
}

/** Returns a TCP port free on 127.0.0.1 now (the OS's choice). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  await once(server, "close");
  if (address === null || typeof address === "string") throw new Error("no TCP address");
  return address.port;
}

/** Sends one inline PING; true when the answer is +PONG. */
export async function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.setTimeout(500);
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => {
      socket.destroy();
      resolve(data.toString().startsWith("+PONG"));
    });
    socket.once("timeout", () => (socket.destroy(), resolve(false)));
    socket.once("error", () => resolve(false));
  });
}

/** Starts `redis-server` on a free port (no persistence) and waits, at most ~10 s, until it answers. */
export async function startThrowawayRedis(): Promise<ThrowawayRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    const proc = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      { stdio: "ignore" },
    );
    child = proc;
    let spawnError: Error | undefined;
    proc.once("error", (err) => (spawnError = err));
    for (let attempt = 0; attempt < 100; attempt++) {
      if (spawnError !== undefined) throw spawnError;
      if (proc.exitCode !== null) throw new Error(`redis-server exited with ${proc.exitCode} on port ${port}`);
      if (await ping(port)) return;
      await sleep(100);
    }
    throw new Error(`redis-server did not answer on port ${port} within 10 s`);
  };
  const stop = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = once(proc, "exit");
    proc.kill("SIGKILL");
    await exited;
  };
  const signal = (name: NodeJS.Signals): void => {
    if (child === undefined || !child.kill(name)) throw new Error(`redis-server on port ${port} is not running`);
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    start,
    stop,
    pause: () => signal("SIGSTOP"),
    resume: () => signal("SIGCONT"),
  };
}
