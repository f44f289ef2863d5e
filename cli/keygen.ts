import { generateRandomKey } from "../src/codec/keys.ts";
import { formatCommandHelp } from "./help.ts";

/** Bytes in a hash key made by `keygen`: 64 (HMAC-SHA256 keys longer than the 64-byte block are hashed first). */
export const KEYGEN_HASH_KEY_BYTES = 64;
/** Bytes in a block key made by `keygen --block`: 32, which selects AES-256-CTR. */
export const KEYGEN_BLOCK_KEY_BYTES = 32;

/** Where `keygen` writes: keys to `out` (stdout), hints and errors to `err` (stderr). */
export interface KeygenIo {
  out(text: string): void;
  err(text: string): void;
  /** Makes random bytes. @default generateRandomKey from node:crypto */
  randomKey?: ((bytes: number) => Uint8Array) | undefined;
}

/** What `typed-sessions --help` shows for `keygen`. */
export const keygenHelp = {
  name: "keygen",
  summary: "Print a fresh hash key (64 bytes) and, with --block, a block key (32 bytes), in hex, as env lines.",
  usage: "typed-sessions keygen [--block] [--prefix NAME]",
  flags: [
    { flag: "--block", description: "also print a 32-byte block key (AES-256-CTR encryption)" },
    { flag: "--prefix NAME", description: "name the variables NAME_HASH_KEY / NAME_BLOCK_KEY (default SESSION)" },
    { flag: "-h, --help", description: "show this help" },
  ],
} as const;

/** Formats {@link keygenHelp} as the text `typed-sessions keygen --help` prints. */
export function formatKeygenHelp(): string {
  return formatCommandHelp(keygenHelp);
}

function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

/**
 * Runs `typed-sessions keygen`: prints `SESSION_HASH_KEY=<128 hex chars>` (and `SESSION_BLOCK_KEY=<64 hex
 * chars>` with `--block`) on stdout, ready for a `.env` file, and a hint to stderr on how to read them
 * (`keysFromEnv(process.env)`: the codec takes a string key as UTF-8 bytes, not as hex).
 * @returns the process exit code: 0 on success, 2 on a bad flag.
 * @example runKeygen(["--block"], { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) });
 */
export function runKeygen(args: readonly string[], io: KeygenIo): number {
  let block = false;
  let prefix = "SESSION";
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--block") block = true;
    else if (arg === "-h" || arg === "--help") {
      io.out(formatKeygenHelp());
      return 0;
    } else if (arg === "--prefix" || arg?.startsWith("--prefix=")) {
      const value = arg === "--prefix" ? args[++i] : arg.slice("--prefix=".length);
      if (value === undefined || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(value)) {
        io.err(
          `typed-sessions keygen: --prefix needs a variable name like SESSION, got ${JSON.stringify(value ?? "")}.\n`,
        );
        return 2;
      }
      prefix = value;
    } else {
      io.err(`typed-sessions keygen: unknown flag ${JSON.stringify(arg)}.\n\n${formatKeygenHelp()}`);
      return 2;
    }
  }
  const random = io.randomKey ?? generateRandomKey;
  const lines = [`${prefix}_HASH_KEY=${toHex(random(KEYGEN_HASH_KEY_BYTES))}`];
  if (block) lines.push(`${prefix}_BLOCK_KEY=${toHex(random(KEYGEN_BLOCK_KEY_BYTES))}`);
  io.out(`${lines.join("\n")}\n`);
  const envArgs = prefix === "SESSION" ? "process.env" : `process.env, ${JSON.stringify(prefix)}`;
  io.err(
    `# Keep these secret (e.g. append to .env). Read them with keysFromEnv (strict hex; refuses short keys):\n` +
      `#   import { CookieStore, keysFromEnv } from "typed-sessions";\n` +
      `#   new CookieStore(keysFromEnv(${envArgs}))\n`,
  );
  return 0;
}
