import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";

/** What {@link monitorKey} saw. */
export interface KeyMonitor {
  /** The commands the node ran that name the key, since the monitor started, lowercased names first. */
  commands(): Promise<string[][]>;
  /** Forgets what was seen so far. */
  reset(): Promise<void>;
  /** Ends the MONITOR connection. */
  stop(): void;
}

/**
 * Watches with `MONITOR` the commands that `node` (one Redis server) runs naming `key`, from any client,
 * scripts' own calls included. A marker command on `node` keeps it exact: MONITOR reports commands in the
 * order the server runs them, so once the marker is seen, every command before it has been.
 */
export async function monitorKey(node: Redis, key: string): Promise<KeyMonitor> {
  const monitor = await node.monitor();
  const marker = `typed-sessions-test:monitor-marker:${randomBytes(6).toString("hex")}`;
  let seen: string[][] = [];
  let markers = 0;
  monitor.on("monitor", (_time: string, args: string[]) => {
    if (args.includes(marker)) markers++;
    else if (args.includes(key)) seen.push([String(args[0]).toLowerCase(), ...args.slice(1)]);
  });
  const sync = async (): Promise<void> => {
    const wanted = markers + 1;
    await node.echo(marker); // names no key: any node of a Cluster runs it
    for (let waited = 0; markers < wanted; waited += 10) {
      if (waited > 5000) throw new Error("MONITOR did not report the marker within 5 s");
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  await sync();
  return {
    commands: async () => (await sync(), seen),
    reset: async () => {
      await sync();
      seen = [];
    },
    stop: () => monitor.disconnect(),
  };
}
