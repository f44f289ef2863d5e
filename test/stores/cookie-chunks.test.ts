// The chunk scheme on its own: names, reading a request's chunks back, splitting a value, the caps.
import { describe, expect, it } from "vitest";
import {
  DEFAULT_MAX_CHUNK_BYTES,
  DEFAULT_MAX_CHUNKS,
  chunkName,
  chunkNames,
  readChunks,
  resolveChunking,
  splitChunks,
} from "../../src/stores/cookie-chunks.ts";
import { errorOf } from "../support/error-of.ts";

const source = (cookies: Record<string, string>) => ({ getCookie: (name: string) => cookies[name] });
const caps = { maxChunks: 4, maxBytes: 100_000 };

describe("chunk names", () => {
  it("keeps the session's own name for the first chunk, then name.1, name.2…, and one name past the cap", () => {
    expect(chunkName("s", 0)).toBe("s");
    expect(chunkName("s", 2)).toBe("s.2");
    expect(chunkNames("__Host-s", 3)).toEqual(["__Host-s", "__Host-s.1", "__Host-s.2", "__Host-s.3"]);
  });
});

describe("resolveChunking", () => {
  it("is off unless asked for, and takes 4 chunks and 6144 bytes by default", () => {
    expect(resolveChunking(undefined, 4096)).toBeUndefined();
    expect(resolveChunking(false, 4096)).toBeUndefined();
    expect(resolveChunking(true, 4096)).toEqual({ maxChunks: DEFAULT_MAX_CHUNKS, maxBytes: DEFAULT_MAX_CHUNK_BYTES });
    expect([DEFAULT_MAX_CHUNKS, DEFAULT_MAX_CHUNK_BYTES]).toEqual([4, 6144]);
    expect(resolveChunking({ maxBytes: 12_000 }, 4096)).toEqual({ maxChunks: 4, maxBytes: 12_000 });
  });

  it.each([
    [{ maxChunks: 1 }, 4096, /maxChunks must be a whole number from 2 to 50/],
    [{ maxChunks: 51 }, 4096, /from 2 to 50/],
    [{ maxChunks: 2.5 }, 4096, /from 2 to 50/],
    [{ maxBytes: 0 }, 4096, /maxBytes must be a whole number/],
    [{ maxBytes: Number.NaN }, 4096, /maxBytes must be a whole number/],
    [true, 0, /maxLength, which is 0/],
  ] as const)("refuses %j (maxLength %d) with invalid_option", (option, limit, message) => {
    const err = errorOf(() => resolveChunking(option, limit));
    expect([err.code, err.kind]).toEqual(["invalid_option", "usage"]);
    expect(err.message).toMatch(message);
  });
});

describe("readChunks", () => {
  const names = chunkNames("s", 4);

  it("returns the one cookie of a session that fits, the chunks joined in order, or undefined for none", () => {
    expect(readChunks(names, source({ s: "abc", other: "x" }))).toBe("abc");
    expect(readChunks(names, source({ "s.2": "c", s: "a", "s.1": "b" }))).toBe("abc");
    expect(readChunks(names, source({ other: "x", "s-1": "y", s1: "z" }))).toBeUndefined();
  });

  it.each([
    ["the first chunk missing", { "s.1": "b" }, /s\.1 is set without s\)/],
    ["a chunk after a missing one", { s: "a", "s.1": "b", "s.3": "d" }, /s\.3 is set without s\.2/],
    ["one chunk more than the store allows", { s: "a", "s.1": "b", "s.2": "c", "s.3": "d", "s.4": "e" }, /more than the 4 cookies its store allows: s\.4 is set/],
  ])("refuses %s with invalid_chunks, a decode error", (_label, cookies, message) => {
    const err = errorOf(() => readChunks(names, source(cookies)));
    expect([err.code, err.kind]).toEqual(["invalid_chunks", "decode"]);
    expect(err.message).toMatch(message);
  });
});

describe("splitChunks", () => {
  it("fills each chunk so that its header (name=chunk and the attributes) is exactly the limit, the last one short", () => {
    const value = "v".repeat(250);
    const chunks = splitChunks("s", value, 20, 100, caps);
    expect(chunks.join("")).toBe(value);
    expect(chunks.map((chunk, i) => chunkName("s", i).length + 1 + chunk.length + 20)).toEqual([100, 100, 100, 44]);
  });

  it("gives one chunk for an empty value", () => {
    expect(splitChunks("s", "", 20, 100, caps)).toEqual([""]);
  });

  it("refuses a value that needs more chunks, or more Cookie-header bytes, than the caps allow", () => {
    const tooMany = errorOf(() => splitChunks("s", "v".repeat(400), 20, 100, caps));
    expect([tooMany.code, tooMany.kind]).toEqual(["chunk_limit_exceeded", "usage"]);
    expect(tooMany.message).toMatch(/session "s" would take 6 cookies and 432 bytes of a request's Cookie header, over its store's chunking caps \(maxChunks 4, maxBytes 100000\); store less/);
    // s=<78>; s.1=<76>; s.2=<76>; s.3=<20>: 270 bytes, names, "=" and the "; " between cookies counted
    expect(errorOf(() => splitChunks("s", "v".repeat(250), 20, 100, { maxChunks: 4, maxBytes: 269 })).code).toBe("chunk_limit_exceeded");
    expect(splitChunks("s", "v".repeat(250), 20, 100, { maxChunks: 4, maxBytes: 270 })).toHaveLength(4);
  });

  it("refuses with cookie_too_large attributes that leave a chunk no room", () => {
    const err = errorOf(() => splitChunks("s", "v".repeat(10), 98, 100, caps));
    expect(err.code).toBe("cookie_too_large");
    expect(err.message).toMatch(/leaves s no room within the 100-byte limit/);
  });
});
