/** The values of `gen --import-extension` (codegen's `ImportExtension`, kept here so the CLI loads without ts-morph). */
export type ImportExtensionFlag = "ts" | "js" | "none";

/** The values, as the help text lists them. */
export const IMPORT_EXTENSIONS_TEXT = "ts, js or none";

/** Tells whether `value` is a value of `--import-extension`. */
export function isImportExtension(value: string): value is ImportExtensionFlag {
  return value === "ts" || value === "js" || value === "none";
}
