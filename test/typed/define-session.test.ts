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
