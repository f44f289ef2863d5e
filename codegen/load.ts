import { readdir } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { tsImport } from "tsx/esm/api";
import { isSessionDefinition, type SessionDefinition } from "../src/typed/define-session.ts";

/** A failure the CLI prints as is (it names the file and says what to do), exiting with status 1. */
export class GenError extends Error {}

/** The session definitions one schema module exports, by export name (sorted). */
export interface LoadedModule {
  /** The module's path relative to the project root, with forward slashes. */
  readonly sourcePath: string;
  readonly definitions: readonly (readonly [string, SessionDefinition])[];
}

/** Turns `schemas/**\/*.ts` or `schemas/` into the directory to search. */
export function schemaDirectory(pattern: string): string {
  return pattern.replace(/\/\*\*(\/\*\.ts)?$/, "").replace(/\/\*\.ts$/, "").replace(/\/+$/, "") || ".";
}

/** Tells whether a file in the schema directory is a schema module (not generated, a test or a declaration). */
export function isSchemaFile(file: string): boolean {
  return file.endsWith(".ts") && !file.endsWith(".gen.ts") && !file.endsWith(".d.ts") && !file.endsWith(".test.ts");
}

/** Lists the schema modules under `dir` (relative to `root`), as sorted project-relative paths. */
export async function findSchemaFiles(root: string, dir: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(path.resolve(root, dir), { recursive: true });
  } catch (cause) {
    throw new GenError(`typed-sessions gen: cannot read the schema directory ${dir} (${(cause as Error).message}); pass --schemas <dir>.`);
  }
  return entries
    .map((entry) => path.posix.join(dir.split(path.sep).join("/"), entry.split(path.sep).join("/")))
    .filter((file) => isSchemaFile(file) && !file.split("/").includes("node_modules"))
    .sort();
}

/**
 * Loads a schema module through tsx (a fresh module graph on every call, so `--watch` sees edits) and picks
 * out its `defineSession(...)` exports.
 */
export async function loadSchemaModule(root: string, sourcePath: string): Promise<LoadedModule> {
  const url = pathToFileURL(path.resolve(root, sourcePath)).href;
  let namespace: Record<string, unknown>;
  try {
    namespace = (await tsImport(url, { parentURL: pathToFileURL(path.join(root, "/")).href })) as Record<string, unknown>;
  } catch (cause) {
    throw new GenError(`typed-sessions gen: ${sourcePath} failed to load: ${(cause as Error)?.message ?? String(cause)}`);
  }
  const definitions = Object.entries(namespace)
    .filter(([name, value]) => name !== "default" && isSessionDefinition(value))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) as [string, SessionDefinition][];
  if (definitions.length === 0) {
    throw new GenError(
      `typed-sessions gen: ${sourcePath} exports no session definition; export the result of defineSession({ name, data }) (e.g. \`export const user = defineSession(...)\`).`,
    );
  }
  return { sourcePath, definitions };
}
