// The Node modules of the filesystem store, through process.getBuiltinModule: `FilesystemStore` is exported
// by the main entry, which must load where there is no Node (a worker, an edge runtime) and keep no static
// `node:` import. Where the runtime has none, each name here is a stand-in that throws `unsupported_runtime`
// at its first use, i.e. when a FilesystemStore is created.
import { nodeBuiltin, orUnsupported } from "../../internal/node-builtins.ts";

const HINT =
  "FilesystemStore needs node:fs, which this runtime does not have (Node ≥ 20.16, Bun and Deno do); use a CookieStore here, or a ServerStore over a SessionBackend this runtime can reach.";

/** node:fs, or a stand-in that throws `unsupported_runtime`. */
export const nodeFs = orUnsupported(nodeBuiltin("node:fs"), HINT);
/** node:fs/promises, or a stand-in that throws `unsupported_runtime`. */
export const nodeFsPromises = orUnsupported(nodeBuiltin("node:fs/promises"), HINT);
/** node:path, or a stand-in that throws `unsupported_runtime`. */
export const nodePath = orUnsupported(nodeBuiltin("node:path"), HINT);
/** node:os, or a stand-in that throws `unsupported_runtime`. */
export const nodeOs = orUnsupported(nodeBuiltin("node:os"), HINT);
