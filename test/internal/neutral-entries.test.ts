// The runtime-neutral entry points must load where there is no Node: no static import of a Node built-in in
// their import graph, and no read of the global Buffer at module level (nor anywhere outside the Node-only
// filesystem store). The sources are read as tsc emits them (type-only imports erased); `npm run
// check:neutral` runs the same scan on the built dist/.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { NEUTRAL_ENTRIES, scanNeutralGraph } from "../../scripts/neutral-graph.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const src = path.join(root, "src");

describe("the runtime-neutral entry points", () => {
  const report = scanNeutralGraph({
    entries: NEUTRAL_ENTRIES.map((entry) => path.join(src, `${entry}.ts`)),
    root,
    nodeOnly: (file) => file.startsWith(path.join(src, "stores", "fs") + path.sep),
  });

  it("import no Node built-in and read no global Buffer where Node may be absent", () => {
    expect(report.problems).toEqual([]);
    expect(report.packages).toEqual(["cookie", "superjson", "zod"]);
  });

  it("reach both codecs, the portable helpers and the filesystem store, and not the Redis store", () => {
    expect(report.files).toEqual(
      expect.arrayContaining([
        "src/codec/node-secure-cookie.ts",
        "src/codec/web-secure-cookie.ts",
        "src/codec/sha256.ts",
        "src/internal/text.ts",
        "src/stores/fs/fs-backend.ts",
        "src/adapters/fetch/with-sessions.ts",
      ]),
    );
    expect(report.files.filter((file) => file.includes("redis") || file.includes("express") || file.includes("fastify"))).toEqual([]);
  });
});

describe("the neutral-graph scan", () => {
  const scan = (files: Record<string, string>, nodeOnly: readonly string[] = []) =>
    scanNeutralGraph({
      entries: ["/m/entry.js"],
      root: "/m",
      nodeOnly: (file) => nodeOnly.includes(path.basename(file)),
      read: (file) => {
        const source = files[path.basename(file)];
        if (source === undefined) throw new Error(`no fixture ${file}`);
        return source;
      },
    }).problems;

  it("finds every kind of static Node import, through relative imports", () => {
    expect(
      scan({
        "entry.js": `import "./a.js"; export * from "./b.js";`,
        "a.js": `import { readFileSync } from "node:fs"; import {} from "node:crypto"; import os from "os";`,
        "b.js": `export { join } from "node:path"; const x = () => import("node:v8"); const y = () => require("fs"); import "ioredis";`,
      }),
    ).toEqual([
      'a.js imports "node:fs", a Node built-in',
      'a.js imports "node:crypto", a Node built-in',
      'a.js imports "os", a Node built-in',
      'b.js imports "node:path", a Node built-in',
      'b.js imports (import()) "node:v8", a Node built-in',
      'b.js requires "fs", a Node built-in',
      'b.js imports "ioredis", a package not known to load without Node',
    ]);
  });

  it("finds the global Buffer at module level anywhere, and inside functions outside the Node-only modules", () => {
    expect(
      scan(
        {
          "entry.js": `import "./node.js"; const pool = Buffer.alloc(8); export function f() { return Buffer.from("x"); }`,
          "node.js": `export function g() { return Buffer.from("x"); } const top = Buffer.byteLength("y");`,
        },
        ["node.js"],
      ),
    ).toEqual([
      "entry.js:1 reads the global Buffer at module level",
      "entry.js:1 reads the global Buffer outside the Node-only modules",
      "node.js:1 reads the global Buffer at module level",
    ]);
  });

  it("leaves a Buffer that is a parameter, a local or an import alone, and property names called Buffer", () => {
    expect(
      scan({
        "entry.js": [
          `import { Buffer as B } from "./buffer.js";`,
          `function view(Buffer) { return Buffer.from("x"); }`,
          `function local() { const Buffer = B; return Buffer.alloc(1); }`,
          `const o = { Buffer: 1 }; o.Buffer;`,
        ].join("\n"),
        "buffer.js": `import { Buffer } from "./other.js"; export const b = Buffer.alloc(1); export { Buffer };`,
        "other.js": `export const Buffer = globalThis.process?.getBuiltinModule?.("node:buffer")?.Buffer;`,
      }),
    ).toEqual([]);
  });
});
