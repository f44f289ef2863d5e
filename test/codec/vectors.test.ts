import { readFileSync } from "node:fs";
import superjson from "superjson";
import { describe, expect, it } from "vitest";
import { isDecodeError, SessionError } from "../../src/codec.ts";
import type { SessionErrorCode } from "../../src/index.ts";
import { IMPLEMENTATIONS, rejectionOf } from "./implementations.ts";

interface AcceptCase {
  id: string;
  name: string;
  hashKey: string;
  blockKey: string | null;
  serializer: "json" | "nop" | "superjson";
  value?: unknown;
  valueHex?: string;
  valueText?: string;
  timestamp: number;
  cookie: string;
  decodeWith?: [string, string | null][];
}

interface RejectCase {
  id: string;
  name: string;
  keys: [string, string | null][];
  cookie: string;
  now: number;
  maxAge: number;
  minAge: number;
  maxLength: number;
  expect: "mac" | "base64" | "too-long" | "expired" | "too-new" | "timestamp" | "decrypt" | "deserialize" | "any";
}

const vectors = JSON.parse(readFileSync(new URL("../fixtures/gorilla-securecookie.json", import.meta.url), "utf8")) as {
  accept: AcceptCase[];
  reject: RejectCase[];
};

const hex = (text: string | null) => (text === null ? null : Buffer.from(text, "hex"));
const SERIALIZERS = { json: "json", nop: "raw", superjson: "superjson" } as const;
const CODES: Record<Exclude<RejectCase["expect"], "any">, SessionErrorCode> = {
  mac: "invalid_mac",
  base64: "invalid_base64",
  "too-long": "value_too_long",
  expired: "expired",
  "too-new": "too_new",
  timestamp: "invalid_timestamp",
  decrypt: "decrypt_failed",
  deserialize: "deserialize_failed",
};

/** Go encodes a map[string]any with its keys sorted; give JSON.stringify the same order. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([key, inner]) => [key, sortKeys(inner)]));
  }
  return value;
}

function expected(vector: AcceptCase): unknown {
  if (vector.serializer === "nop") return new Uint8Array(Buffer.from(vector.valueHex ?? "", "hex"));
  if (vector.serializer === "superjson") return superjson.parse(vector.valueText ?? "");
  return vector.value;
}

/** The codec options a reject vector is decoded with: its first key pair and its limits, at its time. */
function rejectOptions(vector: RejectCase) {
  const [first] = vector.keys;
  if (first === undefined) throw new Error(`reject vector ${vector.id} has no keys`);
  return {
    hashKey: hex(first[0]) as Buffer,
    blockKey: hex(first[1]),
    serializer: "json" as const,
    maxAge: vector.maxAge,
    minAge: vector.minAge,
    maxLength: vector.maxLength,
    now: () => vector.now,
  };
}

describe.each(IMPLEMENTATIONS)("gorilla/securecookie vectors on %s", (_label, createCodec) => {
  describe("accept", () => {
    it.each(vectors.accept.map((v) => [v.id, v] as const))("decodes %s", async (_id, vector) => {
      const keys = (vector.decodeWith ?? [[vector.hashKey, vector.blockKey]]).map(([hashKey, blockKey]) => ({
        hashKey: hex(hashKey) as Buffer,
        blockKey: hex(blockKey),
      }));
      const codec = createCodec({ keys, serializer: SERIALIZERS[vector.serializer], now: () => vector.timestamp });
      const result = await codec.decodeWithKeyIndex(vector.name, vector.cookie);
      expect(result.value).toEqual(expected(vector));
      expect(result.keyIndex).toBe(vector.decodeWith ? vector.decodeWith.length - 1 : 0);
    });

    const hashOnlyJson = vectors.accept.filter((v) => v.serializer === "json" && v.blockKey === null);
    it.each(hashOnlyJson.map((v) => [v.id, v] as const))("encodes %s to gorilla's exact bytes", async (_id, vector) => {
      const codec = createCodec({
        hashKey: hex(vector.hashKey) as Buffer,
        serializer: "json",
        now: () => vector.timestamp,
      });
      expect(await codec.encode(vector.name, sortKeys(vector.value))).toBe(vector.cookie);
    });
  });

  describe("reject", () => {
    it.each(vectors.reject.map((v) => [v.id, v] as const))("refuses %s", async (_id, vector) => {
      const codec = createCodec(rejectOptions(vector));
      const caught = await rejectionOf(() => codec.decode(vector.name, vector.cookie));
      expect(caught).toBeInstanceOf(SessionError);
      expect(isDecodeError(caught)).toBe(true);
      if (vector.expect !== "any") expect((caught as SessionError).code).toBe(CODES[vector.expect]);
    });
  });
});

describe("gorilla/securecookie vectors: both codecs refuse each reject vector alike", () => {
  it.each(vectors.reject.map((v) => [v.id, v] as const))("%s", async (_id, vector) => {
    const refusals = await Promise.all(
      IMPLEMENTATIONS.map(([, createCodec]) => {
        const codec = createCodec(rejectOptions(vector));
        return rejectionOf(() => codec.decode(vector.name, vector.cookie));
      }),
    );
    const [node, web] = refusals.map((err) => ({ code: (err as SessionError).code, message: (err as SessionError).message }));
    expect(web).toEqual(node);
  });
});
