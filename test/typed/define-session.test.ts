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
