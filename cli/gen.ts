import type { GenOptions } from "../codegen/generate.ts";
import { type CookieChunking, resolveChunking } from "../src/stores/cookie-chunks.ts";
import { IMPORT_EXTENSIONS_TEXT, type ImportExtensionFlag, isImportExtension } from "./import-extension-flag.ts";
import { formatCommandHelp } from "./help.ts";
import { loadCodegen } from "./load-codegen.ts";
import { watchDirectory } from "./watch.ts";

/** Where `gen` writes: progress to `out`, errors and diffs to `err`. */
export interface GenIo {
  out(text: string): void;
  err(text: string): void;
  /** The project root. @default process.cwd() */
  cwd?: string | undefined;
  /** Ends `--watch` when aborted (for tests). */
  signal?: AbortSignal | undefined;
}

/** What `typed-sessions --help` shows for `gen`. */
export const genHelp = {
  name: "gen",
  summary: "Generate typed session modules (<file>.gen.ts) from the defineSession(...) exports of schema modules.",
  usage: "typed-sessions gen [--schemas DIR] [--out DIR] [--import-from MODULE] [--import-extension ts|js|none] [--allow-incompatible] [--chunking[=BYTES]] [--check | --watch]",
  flags: [
    { flag: "--schemas DIR", description: 'where schema modules live (default "schemas", i.e. schemas/**/*.ts)' },
    { flag: "--out DIR", description: "write generated modules under DIR (default: next to each schema module)" },
    { flag: "--import-from MODULE", description: 'the module generated code imports the runtime from (default "typed-sessions/runtime")' },
    { flag: "--import-extension EXT", description: `how generated modules import their schema module: ${IMPORT_EXTENSIONS_TEXT} (default: what the nearest tsconfig accepts)` },
    { flag: "--check", description: "regenerate in memory; exit 1 with a diff when a generated file is stale (for CI)" },
    {
      flag: "--allow-incompatible",
      description:
        "accept a schema change that data stored under its version may not fit (a narrowed type or constraint, a field newly required) or a version that went down; otherwise gen and --check exit 1 naming the field",
    },
    {
      flag: "--chunking[=BYTES]",
      description:
        "measure cookie sizes for a CookieStore with chunking: true: a session over 4096 bytes is measured as its chunks, and warned about only past 4 cookies or 6144 bytes of Cookie header (or BYTES, its chunking.maxBytes)",
    },
    { flag: "--watch", description: "regenerate whenever a schema module changes" },
    { flag: "-h, --help", description: "show this help" },
  ],
} as const;

/** Formats {@link genHelp} as the text `typed-sessions gen --help` prints. */
export function formatGenHelp(): string {
  return formatCommandHelp(genHelp);
}

interface ParsedArgs {
  options: GenOptions;
  check: boolean;
  watch: boolean;
  /** The chunking caps cookie sizes are measured against (`--chunking`), or `undefined` for one cookie. */
  chunking: CookieChunking | undefined;
}

/** The caps `--chunking` (a CookieStore's defaults) or `--chunking=BYTES` stands for, or why the value is refused. */
function chunkingOf(bytes: string | undefined): CookieChunking | string {
  if (bytes !== undefined && !/^\d+$/.test(bytes)) return `--chunking=BYTES needs a whole number of bytes, got ${JSON.stringify(bytes)}`;
  try {
    return resolveChunking(bytes === undefined ? true : { maxBytes: Number(bytes) }, 4096) as CookieChunking;
  } catch (err) {
    return (err as Error).message.replace(/^typed-sessions: /, "");
  }
}

function parseArgs(args: readonly string[], root: string): ParsedArgs | string {
  let schemas = "schemas";
  let out: string | undefined;
  let importFrom = "typed-sessions/runtime";
  let importExtension: ImportExtensionFlag | undefined;
  let check = false;
  let watchMode = false;
  let allowIncompatible = false;
  let chunking: CookieChunking | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const value = (): string | undefined => inline ?? args[++i];
    switch (flag) {
      case "--check":
        check = true;
        break;
      case "--watch":
        watchMode = true;
        break;
      case "--allow-incompatible":
        allowIncompatible = true;
        break;
      case "--chunking": {
        const caps = chunkingOf(inline);
        if (typeof caps === "string") return caps;
        chunking = caps;
        break;
      }
      case "--schemas":
      case "--out":
      case "--import-from":
      case "--import-extension": {
        const v = value();
        if (v === undefined || v === "") return `${flag} needs a value`;
        if (flag === "--schemas") schemas = v;
        else if (flag === "--out") out = v;
        else if (flag === "--import-from") importFrom = v;
        else if (isImportExtension(v)) importExtension = v;
        else return `--import-extension must be one of ${IMPORT_EXTENSIONS_TEXT}, got ${JSON.stringify(v)}`;
        break;
      }
      default:
        return `unknown flag ${JSON.stringify(arg)}`;
    }
  }
  if (check && watchMode) return "--check and --watch cannot be combined";
  return { options: { root, schemas, out, importFrom, importExtension, allowIncompatible }, check, watch: watchMode, chunking };
}

async function runOnce(parsed: ParsedArgs, io: GenIo): Promise<number> {
  const codegen = await loadCodegen(io);
  if (codegen === undefined) return 1;
  const { generate, GenError, schemaDirectory, checkGenerated, writeGenerated } = codegen;
  const dir = schemaDirectory(parsed.options.schemas);
  try {
    const files = await generate(parsed.options, dir);
    for (const note of files.flatMap((file) => file.notes ?? [])) io.err(`typed-sessions gen: note: ${note}\n`);
    // The worst-case cookie size of each session: warnings on stderr (never failing), the rest after the files.
    const sizes = await (await import("../codegen/size-report.ts")).sizeReport(parsed.options.root, dir, undefined, parsed.chunking);
    for (const warning of sizes.warnings) io.err(warning);
    if (parsed.check) {
      const stale = await checkGenerated(parsed.options.root, files);
      for (const file of stale) io.err(file.diff);
      if (stale.length > 0) {
        io.err(`typed-sessions gen --check: ${stale.length} generated file(s) out of date: ${stale.map((f) => f.path).join(", ")}. Run \`npm run gen\` and commit the result.\n`);
        return 1;
      }
      io.out(`typed-sessions gen --check: ${files.length} generated file(s) up to date.\n`);
      return 0;
    }
    const written = await writeGenerated(parsed.options.root, files);
    io.out(written.length === 0 ? `typed-sessions gen: ${files.length} file(s) up to date.\n` : written.map((p) => `wrote ${p}\n`).join(""));
    io.out(sizes.lines.join(""));
    return 0;
  } catch (err) {
    if (err instanceof GenError) {
      io.err(`${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

/**
 * Runs `typed-sessions gen`: load schema modules → model → emit → write. With `--check`, writes nothing and
 * exits 1 with a unified diff when a file is stale; with `--watch`, regenerates on every change until killed.
 * @returns the exit code: 0 ok, 1 stale or failed, 2 bad flags.
 */
export async function runGen(args: readonly string[], io: GenIo): Promise<number> {
  if (args.includes("-h") || args.includes("--help")) {
    io.out(formatGenHelp());
    return 0;
  }
  const parsed = parseArgs(args, io.cwd ?? process.cwd());
  if (typeof parsed === "string") {
    io.err(`typed-sessions gen: ${parsed}.\n\n${formatGenHelp()}`);
    return 2;
  }
  const status = await runOnce(parsed, io);
  if (!parsed.watch) return status;
  const codegen = await loadCodegen(io);
  if (codegen === undefined) return 1;
  const dir = codegen.schemaDirectory(parsed.options.schemas);
  io.out(`typed-sessions gen: watching ${dir} (Ctrl-C to stop)\n`);
  let running = Promise.resolve();
  await watchDirectory(dir, {
    signal: io.signal,
    changed: (name) => !name.endsWith(".gen.ts") && !name.endsWith(".tmp"),
    run: () => {
      // A failed run (a write error, say) is reported and the watch goes on with the next change.
      running = running.then(() =>
        runOnce(parsed, io).then(
          () => undefined,
          (err: unknown) => void io.err(`typed-sessions gen: ${(err as Error)?.message ?? String(err)}\n`),
        ),
      );
    },
  });
  await running;
  return status;
}
