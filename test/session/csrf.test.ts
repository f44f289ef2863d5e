import { afterEach, describe, expect, it, vi } from "vitest";
import { assertCsrfToken, csrfToken, verifyCsrfToken } from "../../src/index.ts";
import type { RequestContext } from "../../src/http/request-context.ts";
import { sessions } from "../../src/session/manager.ts";
import { CookieStore } from "../../src/stores/cookie-store.ts";
import { MemoryStore } from "../../src/stores/memory-store.ts";
import { user } from "../../schemas/user.gen.ts";
import { CookieJar } from "../stores/cookie-jar.ts";

const hashKey = "h".repeat(32);
const blockKey = "b".repeat(32);

async function request<T>(jar: CookieJar, fn: (ctx: RequestContext) => Promise<T>): Promise<T> {
  const ctx = jar.context();
  const result = await fn(ctx);
  jar.absorb(ctx.headers);
  return result;
}

describe("CSRF tokens", () => {
  const store = new CookieStore({ hashKey, blockKey });
  const counter = sessions("csrf", store);

  it("issues one 32-byte base64url token per session, stored under _csrf and saved", async () => {
    const jar = new CookieJar();
    const token = await request(jar, async (ctx) => {
      const s = await counter.get(ctx);
      const t = csrfToken(s);
      expect(t).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(t, "base64url")).toHaveLength(32);
      expect(csrfToken(s)).toBe(t);
      expect(s.get("_csrf")).toBe(t);
      expect(s.isDirty).toBe(true);
      await s.save();
      return t;
    });
    await request(jar, async (ctx) => {
      const s = await counter.get(ctx);
      expect(csrfToken(s)).toBe(token);
      expect(verifyCsrfToken(s, token)).toBe(true);
    });
    const other = await request(new CookieJar(), async (ctx) => csrfToken(await counter.get(ctx)));
    expect(other).not.toBe(token);
  });

  it("refuses a wrong token, a missing one, one of another length, and any token when the session has none", async () => {
    const s = await counter.get(new CookieJar().context());
    expect(verifyCsrfToken(s, "x".repeat(43))).toBe(false); // no token issued yet
    const token = csrfToken(s);
    const wrong = (token[0] === "A" ? "B" : "A") + token.slice(1);
    expect(verifyCsrfToken(s, wrong)).toBe(false);
    expect(verifyCsrfToken(s, undefined)).toBe(false);
    expect(verifyCsrfToken(s, null)).toBe(false);
    expect(verifyCsrfToken(s, "")).toBe(false);
    expect(verifyCsrfToken(s, token.slice(1))).toBe(false);
    expect(verifyCsrfToken(s, `${token}x`)).toBe(false);
    expect(verifyCsrfToken(s, ["a"])).toBe(false);
    expect(verifyCsrfToken(s, token)).toBe(true);
  });

  describe("comparison", () => {
    afterEach(() => {
      vi.restoreAllMocks();
    });

    // A constant-time compare reads every character of equal-length tokens, wherever the first difference is
    // (an early exit would tell an attacker, by the time taken, how much of a guess was right).
    it("reads every character of equal-length tokens, whether they differ at the first or not at all", async () => {
      const s = await counter.get(new CookieJar().context());
      const token = csrfToken(s);
      const reads = vi.spyOn(String.prototype, "charCodeAt");
      const readsFor = (guess: string): number => {
        reads.mockClear();
        verifyCsrfToken(s, guess);
        return reads.mock.calls.length;
      };
      const wrongFirst = (token[0] === "A" ? "B" : "A") + token.slice(1);
      expect(readsFor(token)).toBe(2 * token.length);
      expect(readsFor(wrongFirst)).toBe(2 * token.length);
      expect(readsFor("-".repeat(43))).toBe(2 * token.length);
      expect(readsFor(token.slice(2))).toBe(0); // a different length is refused before comparing
      reads.mockRestore();
      expect(verifyCsrfToken(s, wrongFirst)).toBe(false);
      expect(verifyCsrfToken(s, token)).toBe(true);
    });
  });

  it("assertCsrfToken throws invalid_csrf_token, a decode error", async () => {
    const s = await counter.get(new CookieJar().context());
    const token = csrfToken(s);
    expect(() => assertCsrfToken(s, token)).not.toThrow();
    expect(() => assertCsrfToken(s, "nope")).toThrow(expect.objectContaining({ name: "SessionError", code: "invalid_csrf_token", kind: "decode" }));
    expect(() => assertCsrfToken(s, undefined)).toThrow(/^typed-sessions: the request's CSRF token is missing/);
  });

  it("rotates at regenerate (login): the token issued before it no longer verifies", async () => {
    const memory = new MemoryStore({ hashKey, blockKey });
    const jar = new CookieJar();
    const before = await request(jar, async (ctx) => {
      const s = await sessions("login", memory).get(ctx);
      s.set("user", "a");
      const t = csrfToken(s);
      await s.save();
      return t;
    });
    const after = await request(jar, async (ctx) => {
      const s = await sessions("login", memory).get(ctx);
      expect(verifyCsrfToken(s, before)).toBe(true);
      await s.regenerate();
      expect(s.get("user")).toBe("a"); // other values are kept
      expect(verifyCsrfToken(s, before)).toBe(false);
      const t = csrfToken(s);
      await s.save();
      return t;
    });
    expect(after).not.toBe(before);
    await request(jar, async (ctx) => {
      const s = await sessions("login", memory).get(ctx);
      expect(verifyCsrfToken(s, after)).toBe(true);
      expect(verifyCsrfToken(s, before)).toBe(false);
    });
    await memory.close();
  });

  it("works with typed sessions, whose schema validation keeps the _csrf key on load", async () => {
    const jar = new CookieJar();
    const token = await request(jar, async (ctx) => {
      const s = await user.sessions(store).get(ctx);
      const t = csrfToken(s);
      await s.save();
      return t;
    });
    await request(jar, async (ctx) => {
      const s = await user.sessions(store).get(ctx);
      expect(s.untyped.get("_csrf")).toBe(token);
      expect(verifyCsrfToken(s, token)).toBe(true);
      expect(csrfToken(s)).toBe(token);
    });
  });
});
