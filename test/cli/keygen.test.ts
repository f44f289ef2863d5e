import { describe, expect, it } from "vitest";
import { createCodec, keysFromEnv } from "../../src/codec.ts";
import { formatKeygenHelp, runKeygen } from "../../cli/keygen.ts";

function run(args: string[], randomKey?: (bytes: number) => Uint8Array) {
  let out = "";
  let err = "";
  const code = runKeygen(args, { out: (s) => (out += s), err: (s) => (err += s), randomKey });
  return { code, out, err };
}

describe("keygen", () => {
  it("prints one 64-byte hash key in hex as an env line", () => {
    const { code, out } = run([]);
    expect(code).toBe(0);
    expect(out).toMatch(/^SESSION_HASH_KEY=[0-9a-f]{128}\n$/);
  });

  it("adds a 32-byte block key with --block", () => {
    const { code, out } = run(["--block"]);
    expect(code).toBe(0);
    expect(out).toMatch(/^SESSION_HASH_KEY=[0-9a-f]{128}\nSESSION_BLOCK_KEY=[0-9a-f]{64}\n$/);
  });

  it("writes exactly the bytes its random source gives, in hex", () => {
    const { out } = run(["--block"], (n) => new Uint8Array(n).fill(n));
    expect(out).toBe(`SESSION_HASH_KEY=${"40".repeat(64)}\nSESSION_BLOCK_KEY=${"20".repeat(32)}\n`);
  });

  it("makes different keys on every run", () => {
    expect(run([]).out).not.toBe(run([]).out);
  });

  it("renames the variables with --prefix", () => {
    expect(run(["--prefix", "APP"]).out).toMatch(/^APP_HASH_KEY=/);
    expect(run(["--prefix=AUTH", "--block"]).out).toMatch(/^AUTH_HASH_KEY=.*\nAUTH_BLOCK_KEY=/);
  });

  it("prints keys keysFromEnv reads", () => {
    const { out } = run(["--block", "--prefix", "APP"]);
    const env = Object.fromEntries(out.trim().split("\n").map((line) => line.split("=") as [string, string]));
    const codec = createCodec({ ...keysFromEnv(env, "APP"), serializer: "json" });
    expect(codec.decode("s", codec.encode("s", { n: 1 }))).toEqual({ n: 1 });
  });

  it("prints keys the codec accepts once read as hex", () => {
    const { out } = run(["--block"]);
    const env = Object.fromEntries(out.trim().split("\n").map((line) => line.split("=") as [string, string]));
    const codec = createCodec({
      hashKey: Buffer.from(env["SESSION_HASH_KEY"] ?? "", "hex"),
      blockKey: Buffer.from(env["SESSION_BLOCK_KEY"] ?? "", "hex"),
      serializer: "json",
    });
    expect(codec.decode("s", codec.encode("s", { n: 1 }))).toEqual({ n: 1 });
  });

  it("keeps stdout to key lines and explains reading them on stderr", () => {
    const { out, err } = run([]);
    expect(out.split("\n").filter(Boolean).every((l) => l.startsWith("SESSION_"))).toBe(true);
    expect(err).toContain("new CookieStore(keysFromEnv(process.env))");
    expect(run(["--prefix", "APP"]).err).toContain('keysFromEnv(process.env, "APP")');
  });

  it("refuses an unknown flag with exit code 2 and the usage", () => {
    const { code, out, err } = run(["--blok"]);
    expect(code).toBe(2);
    expect(out).toBe("");
    expect(err).toContain('unknown flag "--blok"');
    expect(err).toContain("Usage: typed-sessions keygen");
  });

  it("refuses a --prefix that is not a variable name", () => {
    expect(run(["--prefix", "1-bad"]).code).toBe(2);
    expect(run(["--prefix"]).code).toBe(2);
  });

  it("prints its help with every flag on --help", () => {
    const { code, out } = run(["--help"]);
    expect(code).toBe(0);
    expect(out).toBe(formatKeygenHelp());
    expect(out).toContain("--block");
    expect(out).toContain("--prefix");
  });
});
