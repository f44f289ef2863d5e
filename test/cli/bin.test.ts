import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const bin = fileURLToPath(new URL("../../bin/typed-sessions.js", import.meta.url));
const run = promisify(execFile);

/** Runs the real bin entry in a child process, as `npx typed-sessions …` does. */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

describe("the typed-sessions bin", () => {
  it("prints a hex hash key and block key as env lines for keygen --block", async () => {
    const { code, stdout } = await cli("keygen", "--block");
    expect(code).toBe(0);
    expect(stdout).toMatch(/^SESSION_HASH_KEY=[0-9a-f]{128}\nSESSION_BLOCK_KEY=[0-9a-f]{64}\n$/);
  });

  it("prints only the hash key for plain keygen", async () => {
    const { code, stdout } = await cli("keygen");
    expect(code).toBe(0);
    expect(stdout).toMatch(/^SESSION_HASH_KEY=[0-9a-f]{128}\n$/);
  });

  it("lists gen and keygen in --help", async () => {
    const { code, stdout } = await cli("--help");
    expect(code).toBe(0);
    expect(stdout).toMatch(/^\s+gen\s/m);
    expect(stdout).toMatch(/^\s+keygen\s/m);
  });

  it("shows keygen's flags in keygen --help", async () => {
    const { code, stdout } = await cli("keygen", "--help");
    expect(code).toBe(0);
    expect(stdout).toContain("--block");
  });

  it("exits 2 for an unknown keygen flag", async () => {
    const { code, stdout, stderr } = await cli("keygen", "--nope");
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain("unknown flag");
  });
});
