import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { publicRandomBytes, randomBytesFromPool } from "../../src/codec/random-pool.ts";

describe("randomBytesFromPool", () => {
  it("hands out each byte once", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 600; i++) seen.add(Buffer.from(randomBytesFromPool(16)).toString("hex"));
    expect(seen.size).toBe(600);
  });

  it("keeps secret draws in memory of their own, and hands public ones (IVs) out once each too", () => {
    // A session id or token must not sit in memory other Buffers share (Node's allocation pool).
    for (const size of [8, 16, 32, 2048]) {
      const secret = randomBytesFromPool(size);
      expect(secret.byteOffset).toBe(0);
      expect(secret.buffer.byteLength).toBe(size);
    }
    const seen = new Set<string>();
    for (let i = 0; i < 300; i++) {
      seen.add(Buffer.from(publicRandomBytes(16)).toString("hex"));
      seen.add(Buffer.from(randomBytesFromPool(16)).toString("hex"));
    }
    expect(seen.size).toBe(600);
    expect(publicRandomBytes(16)).toHaveLength(16);
  });

  // A V8 startup snapshot captures the module's state: a pool filled while the snapshot was built would
  // hand every process started from it the same bytes (the same IVs, CTR keystream reuse, the same ids).
  it("draws different bytes in each process started from one startup snapshot, even one built after first use", () => {
    // The snapshot builder runs one CommonJS script that may require only built-in modules: the pool module
    // and what it imports are compiled to CommonJS and inlined, each required by its file name.
    const files = ["codec/random-pool.ts", "internal/node-builtins.ts", "errors.ts"];
    const modules = files.map((file) => {
      const source = readFileSync(new URL(`../../src/${file}`, import.meta.url), "utf8");
      const { outputText } = ts.transpileModule(source, {
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
      });
      return `${JSON.stringify(file.replace(/.*\//, ""))}: (exports, require) => { ${outputText} }`;
    });
    const entry = `
      const factories = { ${modules.join(",\n")} };
      const loaded = {};
      const load = (specifier) => {
        const file = specifier.replace(/.*\\//, "");
        if (!(file in factories)) return require(specifier);
        if (!(file in loaded)) factories[file]((loaded[file] = {}), load);
        return loaded[file];
      };
      const pool = load("random-pool.ts");
      pool.randomBytesFromPool(16); // first use while building: fills the pool
      require("node:v8").startupSnapshot.setDeserializeMainFunction(() => {
        process.stdout.write(Buffer.from(pool.randomBytesFromPool(16)).toString("hex"));
      });
    `;
    const dir = mkdtempSync(join(tmpdir(), "ts-snapshot-"));
    try {
      writeFileSync(join(dir, "entry.cjs"), entry);
      const blob = join(dir, "snapshot.blob");
      execFileSync(process.execPath, ["--snapshot-blob", blob, "--build-snapshot", join(dir, "entry.cjs")], { cwd: dir, stdio: "pipe" });
      const run = (): string => execFileSync(process.execPath, ["--snapshot-blob", blob], { cwd: dir, encoding: "utf8" });
      const [a, b] = [run(), run()];
      expect(a).toMatch(/^[0-9a-f]{32}$/);
      expect(b).toMatch(/^[0-9a-f]{32}$/);
      expect(a).not.toBe(b);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
