import path from "node:path";
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
}

/** One generated module: its project-relative path and its full text. */
export interface GeneratedFile {
  readonly path: string;
  readonly text: string;
}

/** Maps `schemas/sub/user.ts` to its generated module's path. */
export function outputPath(sourcePath: string, schemaDir: string, out: string | undefined): string {
  const gen = sourcePath.replace(/\.ts$/, ".gen.ts");
  if (out === undefined) return gen;
  return path.posix.join(out.split(path.sep).join("/"), path.posix.relative(schemaDir, gen));
}

/** Runs load → model → emit for every schema module; touches the disk only to read schema modules. */
export async function generate(options: GenOptions, schemaDir: string): Promise<GeneratedFile[]> {
  const sources = await findSchemaFiles(options.root, schemaDir);
  if (sources.length === 0) {
    throw new GenError(`typed-sessions gen: no schema modules under ${schemaDir}; add one (export const user = defineSession({...})) or pass --schemas <dir>.`);
  }
  const files: GeneratedFile[] = [];
  for (const sourcePath of sources) {
    const loaded = await loadSchemaModule(options.root, sourcePath);
    const outPath = outputPath(sourcePath, schemaDir, options.out);
    try {
      const sessions = loaded.definitions.map(([name, definition]) => sessionModel(name, definition));
      const importExtension = options.importExtension ?? detectImportExtension(options.root, outPath);
      files.push({ path: outPath, text: emitModule({ sourcePath, sessions }, { importFrom: options.importFrom, outPath, importExtension }) });
    } catch (err) {
      if (err instanceof ModelError) throw new GenError(`typed-sessions gen: ${sourcePath}: ${err.message}`);
      throw err;
    }
  }
  return files;
}
