/** The install line `gen` prints when its tooling is missing. */
export const GEN_TOOLING_INSTALL = "npm install --save-dev ts-morph tsx";

/** The code generator's modules, loaded on demand: they need ts-morph and tsx, which only `gen` uses. */
export type Codegen = typeof import("../codegen/generate.ts") &
  typeof import("../codegen/load.ts") &
  typeof import("../codegen/write.ts");

/**
 * Loads the code generator; when its optional peer dependencies (ts-morph, tsx) are not installed, says so
 * on `io.err` with the line that installs them, and returns `undefined`.
 */
export async function loadCodegen(io: { err(text: string): void }): Promise<Codegen | undefined> {
  try {
    const [generate, load, write] = await Promise.all([
      import("../codegen/generate.ts"),
      import("../codegen/load.ts"),
      import("../codegen/write.ts"),
    ]);
    return { ...generate, ...load, ...write };
  } catch (err) {
    const missing = /Cannot find (?:package|module) '(ts-morph|tsx)[^']*'/.exec(String((err as Error)?.message));
    if ((err as NodeJS.ErrnoException)?.code !== "ERR_MODULE_NOT_FOUND" || missing === null) throw err;
    io.err(
      `typed-sessions gen needs ${missing[1]}, which is not installed (gen's tooling is an optional peer dependency, used only at build time). Install it with:\n  ${GEN_TOOLING_INSTALL}\n`,
    );
    return undefined;
  }
}
