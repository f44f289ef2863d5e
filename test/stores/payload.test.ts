import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { inspect } from "node:util";
import { jsonSerializer, type Serializer } from "../../src/serializers/serializers.ts";
import { checkTimeouts } from "../../src/session/timeouts.ts";
import { decodePayload, encodePayload, loadedRecord } from "../../src/stores/payload.ts";
import { MAX_COOKIE_AGE } from "../../src/internal/time.ts";

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString("latin1");
const body = (values: Record<string, unknown>): string => text(jsonSerializer.serialize(values));

describe("session payload header", () => {
  it("writes the old two-field header, byte for byte, when no maxAge is kept", () => {
    const bytes = encodePayload("s", jsonSerializer, { values: { a: 1 }, createdAt: 10, accessedAt: 20 });
    expect(text(bytes)).toBe(`ts1 10 20\n${body({ a: 1 })}`);
  });

  it("adds the maxAge as an optional third field, 0 included", () => {
    expect(text(encodePayload("s", jsonSerializer, { values: {}, createdAt: 10, accessedAt: 20, maxAge: 0 }))).toBe(`ts1 10 20 0\n${body({})}`);
    expect(text(encodePayload("s", jsonSerializer, { values: {}, createdAt: 10, accessedAt: 20, maxAge: 3600.7 }))).toBe(`ts1 10 20 3600\n${body({})}`);
  });

  it("keeps each payload's own header when the serializer decodes another payload meanwhile", () => {
    // A serializer is the application's code: one that reads a nested payload must not hand its header to the outer one.
    const inner = Buffer.from('ts1 1 2 30 v3\n{"x":1}');
    const nesting: Serializer = {
      serialize: jsonSerializer.serialize,
      deserialize(bytes) {
        decodePayload("inner", jsonSerializer, inner);
        return jsonSerializer.deserialize(bytes);
      },
      stringify: jsonSerializer.stringify!,
      parse(textValue) {
        decodePayload("inner", jsonSerializer, inner);
        return JSON.parse(textValue);
      },
    };
    const bytesOnly: Serializer = { serialize: nesting.serialize, deserialize: nesting.deserialize };
    for (const serializer of [nesting, bytesOnly]) {
      expect(decodePayload("s", serializer, Buffer.from('ts1 10 20\n{"a":1}'))).toEqual({ values: { a: 1 }, createdAt: 10, accessedAt: 20 });
      const record = loadedRecord("s", { serializer }, { value: Buffer.from('ts1 10 20\n{"a":1}'), keyIndex: 0 }, "id");
      expect(record).toMatchObject({ values: { a: 1 }, createdAt: 10, accessedAt: 20, maxAge: undefined, version: undefined, id: "id", stale: false });
    }
  });

  it("decodes old headers without a maxAge and new ones with it", () => {
    expect(decodePayload("s", jsonSerializer, Buffer.from('ts1 10 20\n{"a":1}'))).toEqual({ values: { a: 1 }, createdAt: 10, accessedAt: 20 });
    expect(decodePayload("s", jsonSerializer, Buffer.from("ts1 10 20 0\n{}"))).toEqual({ values: {}, createdAt: 10, accessedAt: 20, maxAge: 0 });
  });

  it("refuses malformed headers as corrupt data", () => {
    for (const bad of ["ts1 10 20 \n{}", "ts1 10 20 -5\n{}", "ts1 10 20 1 2\n{}", "ts1 10\n{}"]) {
      expect(() => decodePayload("s", jsonSerializer, Buffer.from(bad))).toThrow(expect.objectContaining({ code: "corrupt_data" }));
    }
  });

  it("reads exactly the headers the header's grammar allows, with their fields, on text and byte serializers", () => {
    // The grammar, as the regular expression the hand-written reader replaced.
    const grammar = /^ts1 (\d{1,15}) (\+?)(\d{1,15})(?: (\d{1,15}))?(?: v(\d{1,10}))?$/;
    const bytesOnly: Serializer = { serialize: jsonSerializer.serialize, deserialize: jsonSerializer.deserialize };
    const piece = fc.oneof(
      fc.constantFrom("ts1 ", " ", " v", "v", "0", "7", "-", "+", " +", "x", "ts1", "\t"),
      fc.stringMatching(/^[0-9]{1,17}$/),
    );
    const n15 = "1".repeat(15);
    const n16 = "1".repeat(16);
    const edges = fc.constantFrom(
      `ts1 ${n15} ${n15}`, `ts1 ${n16} 1`, `ts1 1 ${n16}`, `ts1 1 1 ${n16}`, `ts1 1 1 ${n15}`, "ts1 1 1 v0",
      "ts1 1 1 v1000000000", "ts1 1 1 v", "ts1 1 1 1 v", "ts1 1 1 v1 1", "ts1 1 1 1 1", "ts1  1 1", "ts1 1 1 ",
      "ts1 1 1 1 v12345678901", "ts 1 1", "TS1 1 1", "ts1 1\t1", "ts1 1 1 v 1",
      "ts1 5 +0", "ts1 5 +", "ts1 5 ++1", `ts1 ${n15} +${n15}`, `ts1 1 +${n16}`, "ts1 +1 1", "ts1 1 +1 +1", "ts1 1 1 +1",
    );
    const headers = fc.oneof(
      edges,
      fc.array(piece, { maxLength: 9 }).map((parts) => parts.join("")),
      fc.array(piece, { maxLength: 8 }).map((parts) => `ts1 ${parts.join("")}`),
    );
    fc.assert(
      fc.property(headers, (header) => {
        const match = header.length <= 72 ? grammar.exec(header) : null;
        for (const serializer of [jsonSerializer, bytesOnly]) {
          const read = () => decodePayload("s", serializer, Buffer.from(`${header}\n{"k":1}`, "latin1"));
          if (match === null || Number(match[4] ?? 0) > MAX_COOKIE_AGE || !(Number(match[5] ?? 1) >= 1 && Number(match[5] ?? 1) <= 1e9)) {
            expect(read).toThrow(expect.objectContaining({ code: "corrupt_data" }));
            continue;
          }
          expect(read()).toEqual({
            values: { k: 1 },
            createdAt: Number(match[1]),
            accessedAt: (match[2] === "+" ? Number(match[1]) : 0) + Number(match[3]),
            maxAge: match[4] === undefined ? undefined : Number(match[4]),
            version: match[5] === undefined ? undefined : Number(match[5]),
          });
        }
      }),
      { numRuns: 3000 },
    );
    expect(decodePayload("s", jsonSerializer, Buffer.from('ts1 007 8 9 v2\n{}'))).toMatchObject({ createdAt: 7, accessedAt: 8, maxAge: 9, version: 2 });
    expect(decodePayload("s", jsonSerializer, Buffer.from('ts1 1 2 v3\n{}'))).toMatchObject({ maxAge: undefined, version: 3 });
  });

  it("round-trips metadata with and without a maxAge", () => {
    const seconds = fc.integer({ min: 0, max: 2 ** 40 });
    const maxAges = fc.integer({ min: 0, max: MAX_COOKIE_AGE }); // what a save can write (see below)
    fc.assert(
      fc.property(seconds, seconds, fc.option(maxAges, { nil: undefined }), (createdAt, accessedAt, maxAge) => {
        const payload = maxAge === undefined ? { values: { k: "v" }, createdAt, accessedAt } : { values: { k: "v" }, createdAt, accessedAt, maxAge };
        expect(decodePayload("s", jsonSerializer, encodePayload("s", jsonSerializer, payload))).toEqual(payload);
      }),
      { numRuns: 200 },
    );
  });

  it("expires a session past its own persistent maxAge since the last save, not one with maxAge 0", () => {
    const payload = { values: {}, createdAt: 0, accessedAt: 1000, maxAge: 60 };
    expect(() => checkTimeouts("s", {}, payload, 1060)).not.toThrow();
    expect(() => checkTimeouts("s", {}, payload, 1061)).toThrow(expect.objectContaining({ code: "expired" }));
    expect(() => checkTimeouts("s", {}, { ...payload, maxAge: 0 }, 999_999)).not.toThrow();
  });

  it("refuses a stored maxAge over 400 days as corrupt data, and never writes one", () => {
    expect(decodePayload("s", jsonSerializer, Buffer.from(`ts1 10 20 ${MAX_COOKIE_AGE}\n{}`)).maxAge).toBe(MAX_COOKIE_AGE);
    for (const maxAge of [MAX_COOKIE_AGE + 1, 999_999_999_999_999]) {
      expect(() => decodePayload("s", jsonSerializer, Buffer.from(`ts1 10 20 ${maxAge}\n{}`))).toThrow(expect.objectContaining({ code: "corrupt_data" }));
      const bytes = encodePayload("s", jsonSerializer, { values: {}, createdAt: 10, accessedAt: 20, maxAge });
      expect(decodePayload("s", jsonSerializer, bytes).maxAge).toBe(MAX_COOKIE_AGE);
    }
  });

  it("refuses creation and save times more than five minutes ahead of the store's clock as corrupt data", () => {
    const now = 1_000_000;
    expect(() => checkTimeouts("s", {}, { values: {}, createdAt: now + 300, accessedAt: now + 300 }, now)).not.toThrow();
    for (const [createdAt, accessedAt] of [[now + 301, now], [now, now + 301], [999_999_999_999_999, now]] as const) {
      expect(() => checkTimeouts("s", { absoluteTimeout: 60 }, { values: {}, createdAt, accessedAt }, now)).toThrow(
        expect.objectContaining({ code: "corrupt_data" }),
      );
    }
  });
});

describe("deserialize_failed errors", () => {
  const MARKER = "marker-5ec2e7-data";
  const failure = (serializer: Serializer, stored: string): Error => {
    try {
      decodePayload("s", serializer, Buffer.from(`ts1 10 20\n${stored}`, "utf8"));
    } catch (err) {
      return err as Error;
    }
    throw new Error("decodePayload did not throw");
  };
  const everything = (err: Error): string => `${err.message}\n${inspect(err, { depth: Infinity, showHidden: true })}\n${String(err.cause)}`;

  it("keep the stored data out of the message and the cause (V8's JSON errors quote their input)", () => {
    const short = "x5mk9q"; // V8 quotes short inputs whole: Unexpected token 'x', "x5mk9q" is not valid JSON
    const err = failure(jsonSerializer, short);
    expect(String((err.cause as Error).message)).not.toContain(short);
    expect(err).toMatchObject({ code: "deserialize_failed" });
    expect(err.cause).toBeInstanceOf(SyntaxError);
    expect(everything(err)).not.toContain(short);
  });

  it("drop the fields of the serializer's error (Node's URL errors keep the input)", () => {
    const urls: Serializer = {
      serialize: (value) => Buffer.from(String(value)),
      deserialize: (bytes) => new URL(Buffer.from(bytes).toString("utf8")),
    };
    const err = failure(urls, `not a url ${MARKER}`);
    expect(err).toMatchObject({ code: "deserialize_failed", cause: { name: "TypeError" } });
    expect(everything(err)).not.toContain(MARKER);
    expect((err.cause as Error).stack).toContain("    at ");
  });
});

describe("binary serializers", () => {
  it("get their bytes as a plain Uint8Array of their own, whatever buffer the codec decoded into", () => {
    let kept: Uint8Array | undefined;
    const binary: Serializer = {
      serialize: () => new Uint8Array([1, 2, 3]),
      deserialize: (bytes) => {
        kept = bytes;
        return { n: bytes.length };
      },
    };
    const encoded = encodePayload("s", binary, { values: {}, createdAt: 1, accessedAt: 1 });
    // As a store's codec hands it over: a view into a larger, shared buffer.
    const shared = Buffer.allocUnsafe(4096).fill(9);
    shared.set(encoded, 100);
    const view = shared.subarray(100, 100 + encoded.length);
    expect(decodePayload("s", binary, view).values).toEqual({ n: 3 });
    expect(Buffer.isBuffer(kept)).toBe(false);
    expect(kept?.byteOffset).toBe(0);
    expect(kept?.buffer.byteLength).toBe(3);
    shared.fill(0);
    expect([...(kept ?? [])]).toEqual([1, 2, 3]);
  });
});
