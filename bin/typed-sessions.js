#!/usr/bin/env node
// Runs the TypeScript CLI (cli/main.ts) through tsx's loader, so `typed-sessions gen` can import schema modules.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../cli/main.ts");
process.exitCode = await main(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
});
