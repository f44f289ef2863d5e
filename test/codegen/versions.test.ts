import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";
import { formatGenHelp, runGen } from "../../cli/gen.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const scratch = `.tmp-gen-test-versions-${process.pid}`;
afterAll(() => rm(path.join(root, scratch), { recursive: true, force: true }));

/**
 * Runs `gen` with `args` from the repository root, collecting what it prints; the cookie-size lines (see
 * size-budget.test.ts) are left out, so these tests see only what versions make gen say.
 */
async function gen(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await runGen(args, { cwd: root, out: (t) => (out += t), err: (t) => (err += t) });
  const sizeLine = /^(?:warning: )?\S+ \([^)]*\): (?:at most|up to|unbounded)[^\n]*\n/gm;
  return { code, out: out.replace(sizeLine, ""), err: err.replace(sizeLine, "") };
}

/** A schema module: `fields` is the current z.object's body; `extra` adds `version`/`migrate` lines and declarations. */
function schema(fields: string, options: { version?: number; migrate?: string; before?: string; exportName?: string } = {}): string {
  return `import { defineSession } from "typed-sessions";
import { z } from "zod";
${options.before ?? ""}
const data = z.object({ ${fields} });
export const ${options.exportName ?? "cart"} = defineSession({
  name: "cart",
  data,${options.version === undefined ? "" : `\n  version: ${options.version},`}${options.migrate === undefined ? "" : `\n  migrate: ${options.migrate},`}
});
`;
}

const V1 = 'items: z.array(z.string().max(20)).default([]), coupon: z.string().max(10).optional(), tier: z.enum(["free", "pro"]).default("free")';

let dirs = 0;
/** A fresh schema directory holding cart.ts (and its generated module, once `gen` ran). */
async function project(text: string): Promise<{ dir: string; write(text: string): Promise<void>; generated(): Promise<string> }> {
  const dir = `${scratch}/p${++dirs}`;
  await mkdir(path.join(root, dir), { recursive: true });
  const write = (next: string): Promise<void> => writeFile(path.join(root, dir, "cart.ts"), next);
  await write(text);
  return { dir, write, generated: () => readFile(path.join(root, dir, "cart.gen.ts"), "utf8") };
}

describe("gen and schema versions", () => {
  it("refuses an incompatible change without a version bump, in --check and in gen, naming the field, and writes nothing", async () => {
    const p = await project(schema(V1));
    expect((await gen("--schemas", p.dir)).code).toBe(0);
    const before = await p.generated();
    await p.write(schema(V1.replace("coupon: z.string().max(10)", "coupon: z.string().max(5)")));
    const check = await gen("--schemas", p.dir, "--check");
    expect(check.code).toBe(1);
    expect(check.err).toContain(`${p.dir}/cart.ts: session "cart" ("cart") changed in a way data stored as version 1 may not fit, without a version bump:`);
    expect(check.err).toContain("  - coupon: max length lowered from 10 to 5: string (max 10) → string (max 5)");
    expect(check.err).toContain(
      "Bump version to 2 and add .to(newSchema, (old) => ...) to migrate, e.g. version: 2, migrate: (from) => from(<the version-1 schema>).to(newSchema, (old) => ...).",
    );
    expect(check.err).not.toContain("--- a/"); // the incompatibility is the finding, not a diff
    const write = await gen("--schemas", p.dir);
    expect(write.code).toBe(1);
    expect(write.err).toContain("  - coupon: max length lowered from 10 to 5");
    expect(write.out).toBe("");
    expect(await p.generated()).toBe(before);
  });

  it("names every incompatible field, the nested ones by path", async () => {
    const p = await project(schema(V1));
    await gen("--schemas", p.dir);
    await p.write(schema('items: z.array(z.string().max(8)).default([]), coupon: z.string().max(10), tier: z.enum(["pro"]).default("pro"), owner: z.string()'));
    const result = await gen("--schemas", p.dir, "--check");
    expect(result.code).toBe(1);
    expect(result.err).toContain("  - items[]: max length lowered from 20 to 8: string (max 20) → string (max 8)");
    expect(result.err).toContain("  - coupon: optional removed: now required without a default (stored data may not have it): string (max 10), optional → string (max 10), required");
    expect(result.err).toContain('  - tier: value "free" no longer accepted: "free" | "pro" → "pro"');
    expect(result.err).toContain("  - owner: added as required without a default (stored data does not have it): (absent) → string, required");
  });

  it("accepts the same change with a version bump and a migrate step, and --check passes after gen", async () => {
    const p = await project(schema(V1));
    await gen("--schemas", p.dir);
    await p.write(
      schema(V1.replace("coupon: z.string().max(10)", "coupon: z.string().max(5)"), {
        version: 2,
        before: `const v1 = z.object({ ${V1} });`,
        migrate: "(from) => from(v1).to(data, (old) => ({ ...old, ...(old.coupon === undefined ? {} : { coupon: old.coupon.slice(0, 5) }) }))",
      }),
    );
    const stale = await gen("--schemas", p.dir, "--check");
    expect(stale.code).toBe(1);
    expect(stale.err).toContain("out of date");
    expect(stale.err).not.toContain("changed in a way");
    const written = await gen("--schemas", p.dir);
    expect(written).toEqual({ code: 0, out: `wrote ${p.dir}/cart.gen.ts\n`, err: "" }); // the chain starts at version 1: no note
    expect(await gen("--schemas", p.dir, "--check")).toMatchObject({ code: 0, err: "" });
    const text = await p.generated();
    expect(text).toContain("export const cartVersion = 2 as const;");
    expect(text).toContain("export interface CartDataV1 {");
    expect(text).toContain('// session cart "cart" version 2\n');
    expect(text).toContain('// field "coupon" optional {"t":"string","max":5}\n');
    // The next incompatible change is measured against version 2.
    await p.write(
      schema(V1.replace("coupon: z.string().max(10)", "coupon: z.string().max(3)"), {
        version: 2,
        before: `const v1 = z.object({ ${V1} });`,
        migrate: "(from) => from(v1).to(data, (old) => ({ ...old, ...(old.coupon === undefined ? {} : { coupon: old.coupon.slice(0, 3) }) }))",
      }),
    );
    const again = await gen("--schemas", p.dir, "--check");
    expect(again.code).toBe(1);
    expect(again.err).toContain("data stored as version 2 may not fit");
    expect(again.err).toContain("  - coupon: max length lowered from 5 to 3");
    expect(again.err).toContain("Bump version to 3 and add .to(newSchema, (old) => ...) to migrate, e.g. version: 3, with .to(newSchema, (old) => ...) at the end of migrate (after the version-2 schema)");
  });

  it("accepts compatible changes at the same version: fields added optional or with a default, removed, constraints loosened, enum values added, unions widened", async () => {
    const compatible = [
      `${V1}, note: z.string().optional()`,
      `${V1}, count: z.number().int().default(0)`,
      V1.replace(', tier: z.enum(["free", "pro"]).default("free")', ""),
      V1.replace("z.string().max(20)", "z.string().max(200)"),
      V1.replace('z.enum(["free", "pro"])', 'z.enum(["free", "pro", "team"])'),
      V1.replace("coupon: z.string().max(10).optional()", 'coupon: z.string().max(10).describe("A code").default("")'),
      V1.replace("coupon: z.string().max(10).optional()", "coupon: z.union([z.string().max(10), z.number()]).nullable().optional()"),
    ];
    for (const fields of compatible) {
      const p = await project(schema(V1));
      await gen("--schemas", p.dir);
      await p.write(schema(fields));
      const check = await gen("--schemas", p.dir, "--check");
      expect(check.code, fields).toBe(1); // stale, not incompatible
      expect(check.err, fields).toContain("out of date");
      expect(check.err, fields).not.toContain("changed in a way");
      expect(await gen("--schemas", p.dir), fields).toEqual({ code: 0, out: `wrote ${p.dir}/cart.gen.ts\n`, err: "" });
      expect((await gen("--schemas", p.dir, "--check")).code, fields).toBe(0);
    }
  });

  it("refuses a version that went down", async () => {
    const p = await project(schema(V1, { version: 3 }));
    await gen("--schemas", p.dir);
    await p.write(schema(V1, { version: 2 }));
    for (const args of [["--check"], []]) {
      const result = await gen("--schemas", p.dir, ...args);
      expect(result.code).toBe(1);
      expect(result.err).toContain(`session "cart" ("cart") went from version 3 down to 2 (${p.dir}/cart.gen.ts records version 3)`);
      expect(result.err).toContain("Set version back to 3");
    }
    expect(await p.generated()).toContain("export const cartVersion = 3 as const;");
  });

  it("notes a bump whose migrate chain does not include the previous version, and writes", async () => {
    const p = await project(schema(V1));
    await gen("--schemas", p.dir);
    await p.write(schema("items: z.array(z.string()).default([])", { version: 2 }));
    const result = await gen("--schemas", p.dir);
    expect(result.code).toBe(0);
    expect(result.out).toBe(`wrote ${p.dir}/cart.gen.ts\n`);
    expect(result.err).toContain(
      `typed-sessions gen: note: ${p.dir}/cart.ts: session "cart" ("cart"): version 1 → 2, and there is no migrate chain: data stored as version 1 is not migrated but repaired on load`,
    );
    expect(await gen("--schemas", p.dir, "--check")).toMatchObject({ code: 0, err: "" }); // the note is about the bump, said once
  });

  it("notes a bump whose chain's schema for the previous version does not accept what that version recorded", async () => {
    const p = await project(schema(V1));
    await gen("--schemas", p.dir);
    const wrongV1 = V1.replace("z.string().max(20)", "z.string().max(2)");
    await p.write(schema("items: z.array(z.string()).default([])", { version: 2, before: `const v1 = z.object({ ${wrongV1} });`, migrate: "(from) => from(v1).to(data, (old) => ({ items: old.items }))" }));
    const result = await gen("--schemas", p.dir);
    expect(result.code).toBe(0);
    expect(result.err).toContain("version 1 → 2, but the migrate chain's version-1 schema does not accept everything the version-1 schema gen recorded did:");
    expect(result.err).toContain("  - items[]: max length lowered from 20 to 2");
  });

  it("writes an incompatible change with --allow-incompatible, saying so, and measures the next change against it", async () => {
    const p = await project(schema(V1));
    await gen("--schemas", p.dir);
    await p.write(schema(V1.replace("z.string().max(20)", "z.string().max(5)")));
    const result = await gen("--schemas", p.dir, "--allow-incompatible");
    expect(result.code).toBe(0);
    expect(result.out).toBe(`wrote ${p.dir}/cart.gen.ts\n`);
    expect(result.err).toContain("typed-sessions gen: note: allowed by --allow-incompatible: ");
    expect(result.err).toContain("  - items[]: max length lowered from 20 to 5");
    expect((await gen("--schemas", p.dir, "--check")).code).toBe(0);
  });

  it("follows a session whose export was renamed (same cookie name)", async () => {
    const p = await project(schema(V1));
    await gen("--schemas", p.dir);
    await p.write(schema(V1.replace("z.string().max(10)", "z.string().max(4)"), { exportName: "basket" }));
    const result = await gen("--schemas", p.dir, "--check");
    expect(result.code).toBe(1);
    expect(result.err).toContain('session "basket" ("cart") changed in a way data stored as version 1 may not fit');
  });

  it("writes nothing at all when one of several schema modules has an incompatible change", async () => {
    const p = await project(schema(V1));
    await writeFile(path.join(root, p.dir, "other.ts"), schema(V1, { exportName: "other" }).replace('name: "cart"', 'name: "other"'));
    await gen("--schemas", p.dir);
    const other = await readFile(path.join(root, p.dir, "other.gen.ts"), "utf8");
    await writeFile(path.join(root, p.dir, "other.ts"), schema(`${V1}, extra: z.string().optional()`, { exportName: "other" }).replace('name: "cart"', 'name: "other"'));
    await p.write(schema(V1.replace("z.string().max(10)", "z.string().max(4)")));
    expect((await gen("--schemas", p.dir)).code).toBe(1);
    expect(await readFile(path.join(root, p.dir, "other.gen.ts"), "utf8")).toBe(other);
  });

  it("refuses to compare with a fingerprint it cannot read", async () => {
    const p = await project(schema(V1));
    await gen("--schemas", p.dir);
    const generated = path.join(root, p.dir, "cart.gen.ts");
    await writeFile(generated, (await p.generated()).replace('"max":10}', '"max":10'));
    const result = await gen("--schemas", p.dir);
    expect(result.code).toBe(1);
    expect(result.err).toContain(`cannot read the schema fingerprint in ${p.dir}/cart.gen.ts: line`);
    expect((await gen("--schemas", p.dir, "--allow-incompatible")).code).toBe(0);
    expect((await gen("--schemas", p.dir, "--check")).code).toBe(0);
  });

  it("compares nothing for a module an older gen wrote (no fingerprint) and records one", async () => {
    const p = await project(schema(V1));
    await gen("--schemas", p.dir);
    const generated = path.join(root, p.dir, "cart.gen.ts");
    const text = await p.generated();
    await writeFile(generated, text.slice(0, text.indexOf("\n// The schema of each session's current version")) + "\n");
    await p.write(schema(V1.replace("z.string().max(10)", "z.string().max(4)")));
    expect((await gen("--schemas", p.dir)).code).toBe(0);
    expect(await p.generated()).toContain('// field "coupon" optional {"t":"string","max":4}');
  });

  it("documents --allow-incompatible in gen --help and accepts it with --check", async () => {
    expect(formatGenHelp()).toMatch(/^ {2}--allow-incompatible {2,}accept a schema change that data stored under its version may not fit/m);
    expect(formatGenHelp()).toContain("[--allow-incompatible]");
    const p = await project(schema(V1));
    await gen("--schemas", p.dir);
    await p.write(schema(V1.replace("z.string().max(20)", "z.string().max(5)")));
    const check = await gen("--schemas", p.dir, "--check", "--allow-incompatible");
    expect(check.code).toBe(1); // allowed, but the file on disk is still stale
    expect(check.err).toContain("note: allowed by --allow-incompatible");
    expect(check.err).toContain("out of date");
  });

  it("writes the same bytes on every run", async () => {
    const p = await project(schema(V1, { version: 2, before: `const v1 = z.object({ ${V1} });`, migrate: "(from) => from(v1).to(data, (old) => old)" }));
    expect((await gen("--schemas", p.dir)).code).toBe(0);
    const first = await p.generated();
    await rm(path.join(root, p.dir, "cart.gen.ts"));
    expect((await gen("--schemas", p.dir)).code).toBe(0);
    expect(await p.generated()).toBe(first);
    expect(await gen("--schemas", p.dir)).toEqual({ code: 0, out: "typed-sessions gen: 1 file(s) up to date.\n", err: "" });
    expect(await p.generated()).toBe(first);
  });

  it("emits modules with versions and older data types that type-check", async () => {
    const p = await project(
      schema(V1.replace("z.string().max(10)", "z.string().max(5)"), {
        version: 3,
        before: `const v1 = z.object({ ${V1} });\nconst v2 = z.object({ items: z.array(z.string()), coupon: z.string().optional() });`,
        migrate: "(from) => from(v1).to(v2, (old) => ({ items: old.items, ...(old.coupon === undefined ? {} : { coupon: old.coupon }) })).to(data, (old) => ({ items: old.items }))",
      }),
    );
    expect((await gen("--schemas", p.dir)).code).toBe(0);
    const use = path.join(root, p.dir, "use.ts");
    await writeFile(
      use,
      `import { type CartData, type CartDataV1, type CartDataV2, cartVersion } from "./cart.gen.ts";
const version: 3 = cartVersion;
const v1: CartDataV1 = { items: ["a"], tier: "free" };
const v2: CartDataV2 = { items: v1.items };
const current: CartData = { items: v2.items, tier: "pro" };
// @ts-expect-error version 2 has no tier
const wrong: CartDataV2 = { items: [], tier: "free" };
export { version, current, wrong };
`,
    );
    const config = ts.getParsedCommandLineOfConfigFile(path.join(root, "tsconfig.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
    const program = ts.createProgram([path.join(root, p.dir, "cart.gen.ts"), use], { ...config?.options, noEmit: true });
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    expect(diagnostics).toEqual([]);
  }, 120_000);
});
