// The one place the runtime-neutral core reaches Node's built-in modules. No static `import` and no
// `import()` of a `node:` module: a bundler for an edge runtime or a worker finds nothing to resolve, and
// the core loads where there is no Node at all. Node-only code (the node:crypto codec, the filesystem
// store) gets its modules here, and the core picks a portable path when they are absent.
import type * as NodeBuffer from "node:buffer";
import type * as NodeCrypto from "node:crypto";
import type * as NodeFs from "node:fs";
import type * as NodeFsPromises from "node:fs/promises";
import type * as NodeOs from "node:os";
import type * as NodePath from "node:path";
import type * as NodeV8 from "node:v8";
import { SessionError } from "../errors.ts";

/** The built-in modules typed-sessions uses, by id. */
interface NodeBuiltins {
  "node:buffer": typeof NodeBuffer;
  "node:crypto": typeof NodeCrypto;
  "node:fs": typeof NodeFs;
  "node:fs/promises": typeof NodeFsPromises;
  "node:os": typeof NodeOs;
  "node:path": typeof NodePath;
  "node:v8": typeof NodeV8;
}

type GetBuiltinModule = (id: string) => unknown;

/**
 * Returns the built-in module `id` where the runtime has one, through `process.getBuiltinModule` (Node ≥
 * 20.16, Bun, Deno), synchronously; `undefined` elsewhere (workers, edge runtimes, browsers, Node before
 * 20.16). Modules read it once, when they load: a test stubs `process.getBuiltinModule` before a fresh
 * import to run the portable paths on Node.
 */
export function nodeBuiltin<Id extends keyof NodeBuiltins>(id: Id): NodeBuiltins[Id] | undefined {
  const process = (globalThis as { process?: { getBuiltinModule?: GetBuiltinModule } }).process;
  if (typeof process?.getBuiltinModule !== "function") return undefined;
  try {
    return (process.getBuiltinModule(id) ?? undefined) as NodeBuiltins[Id] | undefined;
  } catch {
    return undefined; // a polyfilled `process` that refuses the id
  }
}

/**
 * Returns `value`, or where it is absent (the runtime has no such built-in) a stand-in that throws
 * `unsupported_runtime` with `hint` on any use: Node-only modules, which the neutral core imports statically,
 * keep their plain calls (`crypto.createCipheriv(…)`) and load everywhere, and fail with a sentence rather
 * than a TypeError if they ever run where Node is absent.
 */
export function orUnsupported<T extends object>(value: T | undefined, hint: string): T {
  if (value !== undefined) return value;
  const refuse = (): never => {
    throw new SessionError("unsupported_runtime", hint);
  };
  return new Proxy(function absent() {}, { get: refuse, apply: refuse, construct: refuse, has: refuse }) as unknown as T;
}
