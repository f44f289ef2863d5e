import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { generateRandomKey } from "typed-sessions";

/** The demo's signing and encryption keys. */
export interface DemoKeys {
  hashKey: Buffer;
  blockKey: Buffer | undefined;
}

const HEX = /^(?:[0-9a-fA-F]{2})+$/;

function fromHex(name: string, text: string): Buffer {
  if (!HEX.test(text)) throw new Error(`${name} must be hex (e.g. from \`npx typed-sessions keygen\`), got ${text.length} characters that are not.`);
  return Buffer.from(text, "hex");
}

/**
 * Loads keys from `SESSION_HASH_KEY` / `SESSION_BLOCK_KEY` (hex); without them, reads or creates
 * development keys in `file` (git-ignored) and says so in one line.
 */
export function loadDemoKeys(env: NodeJS.ProcessEnv, file = ".dev-keys.json", log: (line: string) => void = console.log): DemoKeys {
  const hash = env["SESSION_HASH_KEY"];
  if (hash !== undefined && hash !== "") {
    const block = env["SESSION_BLOCK_KEY"];
    return { hashKey: fromHex("SESSION_HASH_KEY", hash), blockKey: block ? fromHex("SESSION_BLOCK_KEY", block) : undefined };
  }
  if (existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, "utf8")) as { hashKey: string; blockKey: string };
    log(`typed-sessions demo: using development keys from ${file} (set SESSION_HASH_KEY / SESSION_BLOCK_KEY in production).`);
    return { hashKey: fromHex("hashKey", saved.hashKey), blockKey: fromHex("blockKey", saved.blockKey) };
  }
  const keys = { hashKey: Buffer.from(generateRandomKey(64)), blockKey: Buffer.from(generateRandomKey(32)) };
  writeFileSync(file, JSON.stringify({ hashKey: keys.hashKey.toString("hex"), blockKey: keys.blockKey.toString("hex") }, null, 2) + "\n", { mode: 0o600 });
  log(`typed-sessions demo: generated development keys into ${file} (git-ignored); set SESSION_HASH_KEY / SESSION_BLOCK_KEY in production.`);
  return keys;
}
