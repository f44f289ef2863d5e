import { describe, expect, it } from "vitest";
import { backendError, withoutIds } from "../../src/stores/backend-error.ts";
import { SessionError } from "../../src/errors.ts";

const ID = "Do_feLEjDHh7U7sm_Os-myINNii8S7Dlga1O5Xj_72c";

describe("backend errors", () => {
  it("returns an error that names no id as it is", () => {
    const err = new Error("connection refused");
    expect(withoutIds(err, [ID])).toBe(err);
    expect(withoutIds(42, [ID])).toBe(42);
  });

  it("cuts ids short in message, stack, path fields and nested causes, keeping code, errno and syscall", () => {
    const inner = new Error(`inner ${ID}`);
    const err = Object.assign(new Error(`ENOENT: no such file, open '/s/session_${ID}'`, { cause: inner }), {
      code: "ENOENT",
      errno: -2,
      syscall: "open",
      path: `/s/session_${ID}`,
    });
    const clean = withoutIds(err, [ID]) as NodeJS.ErrnoException;
    expect(clean.message).toBe("ENOENT: no such file, open '/s/session_Do_feL…'");
    expect([clean.code, clean.errno, clean.syscall, clean.path]).toEqual(["ENOENT", -2, "open", "/s/session_Do_feL…"]);
    expect(clean.stack).not.toContain(ID);
    expect((clean.cause as Error).message).toBe("inner Do_feL…");
    expect(withoutIds(`text ${ID}`, [ID])).toBe("text Do_feL…");
  });

  it("cleans an id named only deep in the cause chain (a custom backend wrapping an fs error)", () => {
    const fsError = Object.assign(new Error(`EACCES: permission denied, open '/db/session_${ID}'`), { code: "EACCES" });
    const clean = withoutIds(new Error("db write failed", { cause: fsError }), [ID]) as Error;
    expect(clean.message).toBe("db write failed");
    expect((clean.cause as Error).message).toBe("EACCES: permission denied, open '/db/session_Do_feL…'");
    expect((clean.cause as NodeJS.ErrnoException).code).toBe("EACCES");
  });

  it("wraps failures in store_unavailable and lets decode and store_unavailable errors through", () => {
    const wrapped = backendError("s", "read", new Error(`gone ${ID}`), [ID]) as SessionError;
    expect(wrapped).toMatchObject({ code: "store_unavailable" });
    expect(wrapped.message).toContain("gone Do_feL…");
    expect(wrapped.message).not.toContain(ID);
    const corrupt = new SessionError("corrupt_data", "bad file");
    expect(backendError("s", "read", corrupt, [ID])).toBe(corrupt);
  });
});
