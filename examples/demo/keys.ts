import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { generateRandomKey, keyFromHex, keysFromEnv } from "typed-sessions";

/** The demo's signing and encryption keys. */
export interface DemoKeys {
  hashKey: Buffer;
  blockKey: Buffer | undefined;
}

/**
 * Loads keys from `SESSION_HASH_KEY` / `SESSION_BLOCK_KEY` (hex, read strictly by `keysFromEnv`: malformed or
 * short keys are refused); without them, reads or creates development keys in `file` (git-ignored) and says so
 * in one line.
 */
export function loadDemoKeys(env: NodeJS.ProcessEnv, file = ".dev-keys.json", log: (line: string) => void = console.log): DemoKeys {
  const hash = env["SESSION_HASH_KEY"];
  if (hash !== undefined && hash !== "") {
    const { hashKey, blockKey } = keysFromEnv(env);
    if (blockKey === undefined) log("typed-sessions demo: no SESSION_BLOCK_KEY, so cookies are signed only (signedOnly: true): readable by the user, not encrypted.");
    return { hashKey: Buffer.from(hashKey), blockKey: blockKey && Buffer.from(blockKey) };
  }
  if (existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, "utf8")) as { hashKey: string; blockKey: string };
    log(`typed-sessions demo: using development keys from ${file} (set SESSION_HASH_KEY / SESSION_BLOCK_KEY in production).`);
    return {
      hashKey: Buffer.from(keyFromHex(saved.hashKey, `hashKey in ${file}`)),
      blockKey: Buffer.from(keyFromHex(saved.blockKey, `blockKey in ${file}`, { minBytes: 16 })),
    };
  }
  const keys = { hashKey: Buffer.from(generateRandomKey(64)), blockKey: Buffer.from(generateRandomKey(32)) };
  writeFileSync(file, JSON.stringify({ hashKey: keys.hashKey.toString("hex"), blockKey: keys.blockKey.toString("hex") }, null, 2) + "\n", { mode: 0o600 });
  log(`typed-sessions demo: generated development keys into ${file} (git-ignored); set SESSION_HASH_KEY / SESSION_BLOCK_KEY in production.`);
  return keys;
}
