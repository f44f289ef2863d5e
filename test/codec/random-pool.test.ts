import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { randomBytesFromPool } from "../../src/codec/random-pool.ts";

describe("randomBytesFromPool", () => {
  it("hands out each byte once", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 600; i++) seen.add(randomBytesFromPool(16).toString("hex"));
    expect(seen.size).toBe(600);
  });

  // A V8 startup snapshot captures the module's state: a pool filled while the snapshot was built would
  // hand every process started from it the same bytes (the same IVs, CTR keystream reuse, the same ids).
  it("draws different bytes in each process started from one startup snapshot, even one built after first use", () => {
    const source = readFileSync(new URL("../../src/codec/random-pool.ts", import.meta.url), "utf8");
    // The snapshot builder runs one CommonJS script that may require only built-in modules: the pool module
    // is compiled to CommonJS and inlined.
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
    });
    const entry = `
      const pool = (() => { const exports = {}; ${outputText}; return exports; })();
      pool.randomBytesFromPool(16); // first use while building: fills the pool
      require("node:v8").startupSnapshot.setDeserializeMainFunction(() => {
        process.stdout.write(pool.randomBytesFromPool(16).toString("hex"));
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
