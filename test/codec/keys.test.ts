import { describe, expect, it } from "vitest";
import * as codecEntry from "../../src/codec.ts";
import { createCodec, generateRandomKey, keyFromBase64, keyFromHex, keysFromEnv } from "../../src/codec.ts";
import * as mainEntry from "../../src/index.ts";
import { CookieStore, isUsageError, MemoryStore } from "../../src/index.ts";
import { errorOf } from "../support/error-of.ts";


const HEX64 = "ab".repeat(64);

describe("weak hash keys", () => {
  it.each([1, 16, 31])("refuses a %i-byte hash key with weak_hash_key and says how to make one", (length) => {
    const err = errorOf(() => createCodec({ hashKey: new Uint8Array(length).fill(7) }));
    expect(err.code).toBe("weak_hash_key");
    expect(isUsageError(err)).toBe(true);
    expect(err.message).toMatch(/^typed-sessions: the hash key is \d+ bytes; .*at least 32 .*npx typed-sessions keygen/);
  });

  it("refuses SESSION_HASH_KEY=00 read the README's old way (one byte: forgeable in 256 guesses)", () => {
    const hashKey = Buffer.from("00", "hex");
    expect(errorOf(() => createCodec({ hashKey, blockKey: generateRandomKey(32) })).code).toBe("weak_hash_key");
  });

  it("refuses it in the stores too, when they are created", () => {
    const options = { hashKey: Buffer.from("00", "hex"), blockKey: generateRandomKey(32) };
    expect(errorOf(() => new CookieStore(options)).code).toBe("weak_hash_key");
    expect(errorOf(() => new MemoryStore(options)).code).toBe("weak_hash_key");
  });

  it("refuses a short hash key anywhere in a rotation list, naming the pair", () => {
    const err = errorOf(() => createCodec({ keys: [{ hashKey: generateRandomKey(64) }, { hashKey: "short" }] }));
    expect(err.code).toBe("weak_hash_key");
    expect(err.message).toContain("(key pair 1)");
  });

  it("counts a string key's UTF-8 bytes, and accepts 32 of them", () => {
    expect(errorOf(() => createCodec({ hashKey: "é".repeat(15) })).code).toBe("weak_hash_key"); // 30 bytes
    expect(() => createCodec({ hashKey: "é".repeat(16) })).not.toThrow(); // 32 bytes
    expect(() => createCodec({ hashKey: generateRandomKey(32) })).not.toThrow();
  });

  it("refuses a block key equal to its hash key", () => {
    const key = generateRandomKey(32);
    const err = errorOf(() => createCodec({ hashKey: key, blockKey: Buffer.from(key) }));
    expect(err.code).toBe("invalid_block_key");
    expect(err.message).toMatch(/^typed-sessions: the block key is the hash key; .*different/);
    expect(errorOf(() => createCodec({ hashKey: "k".repeat(32), blockKey: "k".repeat(32) })).code).toBe("invalid_block_key");
  });
});

describe("keyFromHex", () => {
  it("reads what keygen prints", () => {
    expect(Buffer.from(keyFromHex(HEX64))).toEqual(Buffer.alloc(64, 0xab));
    expect(keyFromHex("AB".repeat(32))).toHaveLength(32);
  });

  it.each([
    ["a non-hex character", `${"ab".repeat(32)}zz`],
    ["a character Buffer.from would stop at", `${"ab".repeat(16)}g${"ab".repeat(16)}`],
    ["an odd length", `${"ab".repeat(32)}a`],
    ["a trailing newline", `${"ab".repeat(32)}\n`],
    ["a leading space", ` ${"ab".repeat(32)}`],
    ["quotes", `"${"ab".repeat(32)}"`],
    ["a 0x prefix", `0x${"ab".repeat(32)}`],
  ])("refuses %s", (_label, text) => {
    const err = errorOf(() => keyFromHex(text, "SESSION_HASH_KEY"));
    expect(err.code).toBe("invalid_option");
    expect(err.message).toMatch(/^typed-sessions: SESSION_HASH_KEY is not hex: .*npx typed-sessions keygen/);
  });

  it("refuses fewer than 32 bytes by default, and fewer than minBytes when given", () => {
    const err = errorOf(() => keyFromHex("00", "SESSION_HASH_KEY"));
    expect(err.code).toBe("weak_hash_key");
    expect(err.message).toMatch(/^typed-sessions: SESSION_HASH_KEY is 1 bytes; it must be at least 32 .*keygen/);
    expect(errorOf(() => keyFromHex("ab".repeat(31))).code).toBe("weak_hash_key");
    expect(keyFromHex("ab".repeat(16), "block", { minBytes: 16 })).toHaveLength(16);
    expect(errorOf(() => keyFromHex("ab".repeat(8), "block", { minBytes: 16 })).code).toBe("invalid_option");
    expect(errorOf(() => keyFromHex(HEX64, "k", { minBytes: 0 })).code).toBe("invalid_option");
  });

  it("refuses a missing or empty value with missing_hash_key, naming it", () => {
    expect(errorOf(() => keyFromHex(undefined, "SESSION_HASH_KEY")).message).toMatch(/SESSION_HASH_KEY is not set/);
    expect(errorOf(() => keyFromHex("", "SESSION_HASH_KEY")).code).toBe("missing_hash_key");
  });
});

describe("keyFromBase64", () => {
  const bytes = Buffer.from(generateRandomKey(33)); // 33 bytes: 44 characters, no padding
  const bytes32 = Buffer.alloc(32, 0xfb); // 32 bytes: one "=" of padding, and +/ or -_ characters

  it("reads standard and URL-safe base64, padded or not", () => {
    expect(Buffer.from(keyFromBase64(bytes.toString("base64")))).toEqual(bytes);
    expect(Buffer.from(keyFromBase64(bytes32.toString("base64")))).toEqual(bytes32);
    expect(Buffer.from(keyFromBase64(bytes32.toString("base64").replace(/=+$/, "")))).toEqual(bytes32);
    expect(Buffer.from(keyFromBase64(bytes32.toString("base64url")))).toEqual(bytes32);
    expect(Buffer.from(keyFromBase64(`${bytes32.toString("base64url")}=`))).toEqual(bytes32);
  });

  it.each([
    ["whitespace", (s: string) => `${s.slice(0, 10)} ${s.slice(10)}`],
    ["a trailing newline", (s: string) => `${s}\n`],
    ["mixed alphabets", (s: string) => `${s.replace(/=+$/, "").slice(0, -2)}-+`],
    ["a character outside both alphabets", (s: string) => `${s.slice(0, 5)}*${s.slice(6)}`],
    ["too much padding", (s: string) => `${s}=`],
    ["padding in the middle", (s: string) => `${s.slice(0, 8)}=${s.slice(9)}`],
    ["an impossible length", (s: string) => `${s.replace(/=+$/, "")}AA`],
    ["non-canonical trailing bits", (s: string) => s.replace(/.=$/, "/=")],
  ])("refuses %s", (_label, spoil) => {
    const text = spoil(bytes32.toString("base64"));
    const err = errorOf(() => keyFromBase64(text, "KEY"));
    expect(err.code).toBe("invalid_option");
    expect(err.message).toMatch(/^typed-sessions: KEY is not base64: /);
  });

  it("refuses fewer than 32 bytes", () => {
    expect(errorOf(() => keyFromBase64(Buffer.alloc(31).toString("base64"))).code).toBe("weak_hash_key");
    expect(keyFromBase64(Buffer.alloc(16).toString("base64"), "block", { minBytes: 16 })).toHaveLength(16);
  });
});

describe("keysFromEnv", () => {
  it("reads <PREFIX>_HASH_KEY and <PREFIX>_BLOCK_KEY in hex, ready to spread into a codec", () => {
    const env = { SESSION_HASH_KEY: HEX64, SESSION_BLOCK_KEY: "cd".repeat(32) };
    const keys = keysFromEnv(env);
    expect(Buffer.from(keys.hashKey)).toEqual(Buffer.alloc(64, 0xab));
    expect(Buffer.from(keys.blockKey ?? [])).toEqual(Buffer.alloc(32, 0xcd));
    const codec = createCodec({ ...keys, serializer: "json" });
    expect(codec.decode("s", codec.encode("s", { ok: 1 }))).toEqual({ ok: 1 });
    expect(keysFromEnv({ APP_HASH_KEY: HEX64 }, "APP")).toEqual({ hashKey: expect.any(Uint8Array), blockKey: undefined });
    expect(keysFromEnv({ SESSION_HASH_KEY: HEX64, SESSION_BLOCK_KEY: "" }).blockKey).toBeUndefined();
  });

  it("refuses a missing, malformed or short hash key, naming the variable", () => {
    expect(errorOf(() => keysFromEnv({})).code).toBe("missing_hash_key");
    expect(errorOf(() => keysFromEnv({})).message).toContain("SESSION_HASH_KEY");
    expect(errorOf(() => keysFromEnv({ SESSION_HASH_KEY: "00" })).code).toBe("weak_hash_key");
    expect(errorOf(() => keysFromEnv({ SESSION_HASH_KEY: `${HEX64} ` })).code).toBe("invalid_option");
  });

  it.each([8, 20, 33, 64])("refuses a %i-byte block key with invalid_block_key", (length) => {
    const err = errorOf(() => keysFromEnv({ SESSION_HASH_KEY: HEX64, SESSION_BLOCK_KEY: "cd".repeat(length) }));
    expect(err.code).toBe("invalid_block_key");
    expect(err.message).toMatch(/SESSION_BLOCK_KEY is \d+ bytes; it must be 16, 24 or 32/);
  });

  it("refuses a malformed block key", () => {
    const env = { SESSION_HASH_KEY: HEX64, SESSION_BLOCK_KEY: `${"cd".repeat(16)}\n` };
    expect(errorOf(() => keysFromEnv(env)).message).toMatch(/SESSION_BLOCK_KEY is not hex/);
  });

  it("is exported from typed-sessions and typed-sessions/codec", () => {
    for (const entry of [mainEntry, codecEntry] as Record<string, unknown>[]) {
      expect(entry["keyFromHex"]).toBe(keyFromHex);
      expect(entry["keyFromBase64"]).toBe(keyFromBase64);
      expect(entry["keysFromEnv"]).toBe(keysFromEnv);
    }
  });
});
