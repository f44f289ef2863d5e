import path from "node:path";
import { ts } from "ts-morph";

/** How a generated module writes its relative import of the schema module: `./user.ts`, `./user.js`, `./user`. */
export type ImportExtension = "ts" | "js" | "none";

/** The import extensions, for the `--import-extension` flag. */
export const IMPORT_EXTENSIONS: readonly ImportExtension[] = ["ts", "js", "none"];

/**
 * Chooses the import extension the project's TypeScript settings accept, from the tsconfig nearest to the
 * generated file (following `extends`): `.ts` with `allowImportingTsExtensions` or
 * `rewriteRelativeImportExtensions`; none with `moduleResolution: "bundler"`; `.js` otherwise (Node16 and
 * NodeNext need it, and tsx, Bun and bundlers map it to the `.ts` file), and `.js` with no tsconfig at all.
 */
export function detectImportExtension(root: string, outPath: string): ImportExtension {
  const dir = path.dirname(path.resolve(root, outPath));
  const configPath = ts.findConfigFile(dir, ts.sys.fileExists, "tsconfig.json");
  if (configPath === undefined) return "js";
  const read = ts.readConfigFile(configPath, ts.sys.readFile);
  if (read.error !== undefined) return "js";
  const { options } = ts.parseJsonConfigFileContent(read.config, ts.sys, path.dirname(configPath));
  if (options.allowImportingTsExtensions === true || options.rewriteRelativeImportExtensions === true) return "ts";
  if (options.moduleResolution === ts.ModuleResolutionKind.Bundler) return "none";
  return "js";
}

/** Writes `specifier` (a relative path to a `.ts` module) with `extension`. */
export function withExtension(specifier: string, extension: ImportExtension): string {
  if (extension === "ts") return specifier;
  const base = specifier.replace(/\.ts$/, "");
  return extension === "js" ? `${base}.js` : base;
}
