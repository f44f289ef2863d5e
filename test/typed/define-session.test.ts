import { describe, expect, it } from "vitest";
import { z } from "zod";
import { SessionError } from "../../src/errors.ts";
import { defineSession } from "../../src/typed/define-session.ts";

describe("defineSession", () => {
  it("refuses a bad input with an invalid_option SessionError, like every other usage error", () => {
    const bad = [
      () => defineSession({ name: "", data: z.object({}) }),
      () => defineSession({ name: "s", data: z.string() as never }),
      () => defineSession({ name: "s", data: z.object({}), onInvalid: "ignore" as never }),
    ];
    for (const define of bad) {
      expect(define).toThrow(SessionError);
      expect(define).toThrow(expect.objectContaining({ code: "invalid_option", kind: "usage" }));
      expect(define).toThrow(/^typed-sessions: /);
    }
  });
});

describe("defineSession with a Zod 3 schema", () => {
  it("says it needs Zod 4 and how to import it, for the data and for the flash schema", async () => {
    const { z: z3 } = await import("zod/v3");
    const attempts = [
      () => defineSession({ name: "s", data: z3.object({ a: z3.string() }) as never }),
      () => defineSession({ name: "s", data: z.object({}), flash: z3.string() as never }),
    ];
    for (const define of attempts) {
      expect(define).toThrow(expect.objectContaining({ code: "invalid_option" }));
      expect(define).toThrow(/needs a Zod 4 schema: import z from `zod` ≥ 4 \(or from `zod\/v4`/);
    }
  });
});

describe("defineSession versions", () => {
  const v1 = z.object({ n: z.number().default(0) });
  const v2 = z.object({ n: z.string().default("0") });
  const v3 = z.object({ n: z.string().default("0"), m: z.boolean().default(false) });

  it("defaults to version 1 with the data as its only version, and onInvalid repair", () => {
    const definition = defineSession({ name: "s", data: v3 });
    expect(definition.version).toBe(1);
    expect(definition.onInvalid).toBe("repair");
    expect(definition.versions).toEqual([{ version: 1, schema: v3, up: undefined }]);
  });

  it("numbers a migrate chain back from version: the first schema is version - steps", () => {
    const up2 = (old: { n: number }) => ({ n: String(old.n) });
    const up3 = (old: { n: string }) => ({ n: old.n, m: true });
    const definition = defineSession({ name: "s", data: v3, version: 7, migrate: (from) => from(v1).to(v2, up2).to(v3, up3) });
    expect(definition.versions.map((v) => [v.version, v.schema, v.up])).toEqual([
      [5, v1, undefined],
      [6, v2, up2],
      [7, v3, up3],
    ]);
  });

  it("refuses a bad version or chain with invalid_option, saying what to write", () => {
    const bad: Array<[() => unknown, RegExp]> = [
      [() => defineSession({ name: "s", data: v3, version: 0 }), /version must be a whole number from 1/],
      [() => defineSession({ name: "s", data: v3, version: 1.5 }), /version must be a whole number from 1/],
      [() => defineSession({ name: "s", data: v3, version: 1, migrate: (from) => from(v2).to(v3, (old) => ({ n: old.n })) }), /set version to at least 2/],
      [() => defineSession({ name: "s", data: v3, version: 3, migrate: ((from: never) => (from as (s: unknown) => unknown)(v1)) as never }), /must end at `data`/],
      [() => defineSession({ name: "s", data: v3, version: 2, migrate: (from) => from(v1).to(v2, (old) => ({ n: String(old.n) })) as never }), /must end at `data`/],
      [() => defineSession({ name: "s", data: v3, version: 2, migrate: (() => 3) as never }), /must return its chain/],
      [() => defineSession({ name: "s", data: v3, version: 2, migrate: "v1" as never }), /migrate must be a function/],
      [() => defineSession({ name: "s", data: v3, version: 2, migrate: (from) => from(z.string() as never).to(v3, () => ({})) }), /must be a Zod 4 z.object/],
    ];
    for (const [define, message] of bad) {
      expect(define).toThrow(expect.objectContaining({ code: "invalid_option" }));
      expect(define).toThrow(message);
    }
  });
});
