import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { detectImportExtension, withExtension } from "../../codegen/import-extension.ts";
import { emitModule } from "../../codegen/emit.ts";
import { sessionModel } from "../../codegen/model.ts";
import { z } from "zod";
import { defineSession } from "../../src/typed/define-session.ts";

let dir: string | undefined;
afterEach(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

async function project(tsconfigs: Record<string, object>): Promise<string> {
  dir = await mkdtemp(path.join(tmpdir(), "ts-import-ext-"));
  for (const [file, config] of Object.entries(tsconfigs)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), JSON.stringify(config));
  }
  return dir;
}

describe("the import extension gen writes", () => {
  it.each([
    ["NodeNext without .ts imports", { compilerOptions: { module: "NodeNext", moduleResolution: "NodeNext" } }, "js"],
    ["Node16", { compilerOptions: { module: "Node16" } }, "js"],
    ["allowImportingTsExtensions", { compilerOptions: { module: "NodeNext", allowImportingTsExtensions: true, noEmit: true } }, "ts"],
    ["rewriteRelativeImportExtensions", { compilerOptions: { module: "NodeNext", rewriteRelativeImportExtensions: true } }, "ts"],
    ["moduleResolution bundler", { compilerOptions: { module: "ESNext", moduleResolution: "bundler" } }, "none"],
  ])("follows the nearest tsconfig: %s", async (_label, config, expected) => {
    const root = await project({ "tsconfig.json": config });
    expect(detectImportExtension(root, "schemas/user.gen.ts")).toBe(expected);
  });

  it("follows extends, and prefers the tsconfig nearest to the generated file", async () => {
    const root = await project({
      "tsconfig.base.json": { compilerOptions: { module: "ESNext", moduleResolution: "bundler" } },
      "tsconfig.json": { extends: "./tsconfig.base.json" },
      "app/tsconfig.json": { compilerOptions: { module: "NodeNext", allowImportingTsExtensions: true, noEmit: true } },
    });
    expect(detectImportExtension(root, "schemas/user.gen.ts")).toBe("none");
    expect(detectImportExtension(root, "app/schemas/user.gen.ts")).toBe("ts");
  });

  it("writes .js when there is no tsconfig", async () => {
    const root = await project({});
    expect(detectImportExtension(root, "schemas/user.gen.ts")).toBe("js");
  });

  it("rewrites the schema import of a generated module", () => {
    expect([withExtension("./user.ts", "ts"), withExtension("./user.ts", "js"), withExtension("./user.ts", "none")]).toEqual(["./user.ts", "./user.js", "./user"]);
    const definition = defineSession({ name: "s", data: z.object({ a: z.string().default("") }) });
    const text = emitModule({ sourcePath: "schemas/s.ts", sessions: [sessionModel("s", definition)] }, { importFrom: "typed-sessions/runtime", outPath: "schemas/s.gen.ts", importExtension: "js" });
    expect(text).toContain('from "./s.js";');
    expect(text).toContain("export const s: BoundSession<SSession> = bindSession(");
  });
});
