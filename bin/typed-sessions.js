#!/usr/bin/env node
// The `typed-sessions` command. The package runs its compiled CLI (dist/cli/main.js); a clone of the
// repository, which has the CLI's TypeScript sources beside this file, runs those through tsx instead.
import { existsSync } from "node:fs";

const source = new URL("../cli/main.ts", import.meta.url);
let main;
if (existsSync(source)) {
  const { register } = await import("tsx/esm/api");
  register();
  ({ main } = await import(source.href));
} else {
  ({ main } = await import(new URL("../dist/cli/main.js", import.meta.url).href));
}
process.exitCode = await main(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
});
