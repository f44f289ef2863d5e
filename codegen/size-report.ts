import { findSchemaFiles, loadSchemaModule } from "./load.ts";
import type { CookieChunking } from "../src/stores/cookie-chunks.ts";
import { COOKIE_LIMIT, estimateSize, sizeLine } from "./size-budget.ts";

/** What `gen` prints about cookie sizes: one line per session, on stdout (`lines`) or stderr (`warnings`). */
export interface SizeReport {
  /** Sessions that fit a cookie: `user_sessions (schemas/user.ts): at most 2,314 bytes in a cookie (…)`. */
  readonly lines: readonly string[];
  /** Sessions that may not (unbounded, or over 4096 bytes or the chunking caps), each line starting `warning: `. */
  readonly warnings: readonly string[];
}

/**
 * Estimates the worst-case cookie size of every session the schema modules under `dir` define, in the
 * order gen generates them (modules sorted, exports sorted). Estimates say "in a cookie": a session kept
 * in a server-side store only sends its id, and can ignore them. With `chunking`, a session over `limit` is
 * measured against a chunking CookieStore's caps instead (see `sizeLine`).
 */
export async function sizeReport(root: string, dir: string, limit = COOKIE_LIMIT, chunking?: CookieChunking): Promise<SizeReport> {
  const lines: string[] = [];
  const warnings: string[] = [];
  for (const sourcePath of await findSchemaFiles(root, dir)) {
    const { definitions } = await loadSchemaModule(root, sourcePath);
    for (const [exportName, definition] of definitions) {
      let line: { text: string; warning: boolean };
      try {
        line = sizeLine(estimateSize(exportName, definition), sourcePath, limit, chunking);
      } catch (err) {
        // The estimate is advice: a schema it cannot read must not stop gen, which has already checked it.
        line = { text: `${definition.name} (${sourcePath}): cookie size not estimated (${(err as Error)?.message ?? String(err)})`, warning: true };
      }
      if (line.warning) warnings.push(`warning: ${line.text}\n`);
      else lines.push(`${line.text}\n`);
    }
  }
  return { lines, warnings };
}
