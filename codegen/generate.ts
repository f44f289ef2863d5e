import { readFile } from "node:fs/promises";
import path from "node:path";
import { checkCompatibility } from "./compat.ts";
import { emitModule } from "./emit.ts";
import { type ImportExtension, detectImportExtension } from "./import-extension.ts";
import { findSchemaFiles, GenError, loadSchemaModule } from "./load.ts";
import { ModelError, sessionModel } from "./model.ts";

/** The options of `typed-sessions gen`. */
export interface GenOptions {
  /** The project root every path is relative to. */
  readonly root: string;
  /** Where schema modules live (a directory, or `dir/**\/*.ts`). @default "schemas" */
  readonly schemas: string;
  /** Where generated modules go (mirroring the schema directory); `undefined` = next to each schema. */
  readonly out: string | undefined;
  /** The module generated code imports the runtime from. @default "typed-sessions/runtime" */
  readonly importFrom: string;
  /** How generated modules import their schema module. @default detected from the nearest tsconfig */
  readonly importExtension?: ImportExtension | undefined;
  /**
   * Generate even when a schema changed in a way data stored under its version may not fit (or its version
   * went down); the findings become notes. @default false
   */
  readonly allowIncompatible?: boolean | undefined;
}

/** One generated module: its project-relative path and its full text. */
export interface GeneratedFile {
  readonly path: string;
  readonly text: string;
  /** What the comparison with the previous generated module found worth saying (never a failure). */
  readonly notes?: readonly string[];
}

async function readPrevious(root: string, file: string): Promise<string | undefined> {
  try {
    return await readFile(path.resolve(root, file), "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

/** Maps `schemas/sub/user.ts` to its generated module's path. */
export function outputPath(sourcePath: string, schemaDir: string, out: string | undefined): string {
  const gen = sourcePath.replace(/\.ts$/, ".gen.ts");
  if (out === undefined) return gen;
  return path.posix.join(out.split(path.sep).join("/"), path.posix.relative(schemaDir, gen));
}

/**
 * Runs load → model → emit for every schema module, and compares each session with the fingerprint its
 * previous generated module recorded; touches the disk only to read schema modules and those generated
 * modules. Throws a {@link GenError} listing every incompatible change (unless `allowIncompatible`), so
 * nothing is written when one schema module has one.
 */
export async function generate(options: GenOptions, schemaDir: string): Promise<GeneratedFile[]> {
  const sources = await findSchemaFiles(options.root, schemaDir);
  if (sources.length === 0) {
    throw new GenError(`typed-sessions gen: no schema modules under ${schemaDir}; add one (export const user = defineSession({...})) or pass --schemas <dir>.`);
  }
  const files: GeneratedFile[] = [];
  const incompatible: string[] = [];
  for (const sourcePath of sources) {
    const loaded = await loadSchemaModule(options.root, sourcePath);
    const outPath = outputPath(sourcePath, schemaDir, options.out);
    try {
      const sessions = loaded.definitions.map(([name, definition]) => sessionModel(name, definition));
      const importExtension = options.importExtension ?? detectImportExtension(options.root, outPath);
      const text = emitModule({ sourcePath, sessions }, { importFrom: options.importFrom, outPath, importExtension });
      const report = checkCompatibility(sourcePath, outPath, await readPrevious(options.root, outPath), sessions);
      const notes = [...report.notes];
      if (options.allowIncompatible === true) notes.push(...report.incompatible.map((text) => `allowed by --allow-incompatible: ${text}`));
      else incompatible.push(...report.incompatible);
      files.push(notes.length === 0 ? { path: outPath, text } : { path: outPath, text, notes });
    } catch (err) {
      if (err instanceof ModelError) throw new GenError(`typed-sessions gen: ${sourcePath}: ${err.message}`);
      throw err;
    }
  }
  if (incompatible.length > 0) throw new GenError(incompatible.map((text) => `typed-sessions gen: ${text}`).join("\n\n"));
  return files;
}
