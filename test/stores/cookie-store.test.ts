import { describe, expect, it } from "vitest";
import { isSessionError, type SessionError } from "../../src/errors.ts";
import { sessions } from "../../src/session/manager.ts";
import { CookieStore } from "../../src/stores/cookie-store.ts";
import { freshSession, loadSession } from "../support/sessions.ts";
import { CookieJar } from "./cookie-jar.ts";

const OLD = { hashKey: "o".repeat(32), blockKey: "O".repeat(32) };
const NEW = { hashKey: "n".repeat(32), blockKey: "N".repeat(32) };

describe("CookieStore", () => {
  it("refuses cookie options the Set-Cookie header cannot carry with invalid_option, at creation and at save", async () => {
    expect(() => new CookieStore({ keys: [NEW], cookie: { path: "/a;b" } })).toThrow(
      expect.objectContaining({ code: "invalid_option", message: expect.stringMatching(/^typed-sessions: /) }),
    );
    expect(() => new CookieStore({ keys: [NEW], cookie: { domain: "bad domain" } })).toThrow(
      expect.objectContaining({ code: "invalid_option" }),
    );
    const store = new CookieStore({ keys: [NEW] });
    const ctx = new CookieJar().context();
    const session = await sessions("s", store).get(ctx);
    session.set("a", 1);
    session.cookie.domain = "evil.example; Secure=no"; // a per-session change, made per request
    const err: unknown = await session.save(ctx).catch((e: unknown) => e);
    expect(isSessionError(err, "invalid_option")).toBe(true);
    expect(ctx.headers.getSetCookie()).toEqual([]);
  });

  it("throws cookie_too_large, naming the session and size, before writing any header", async () => {
    const store = new CookieStore({ keys: [NEW] });
    const ctx = new CookieJar().context();
    const session = await sessions("big_one", store).get(ctx);
    session.set("blob", "x".repeat(3500));
    const err: unknown = await session.save(ctx).catch((e: unknown) => e);
    expect(isSessionError(err, "cookie_too_large")).toBe(true);
    expect((err as Error).message).toMatch(/"big_one".* \d{4} bytes, over the 4096-byte limit/);
    expect(ctx.headers.getSetCookie()).toEqual([]);
  });

  it("measures the whole Set-Cookie header, attributes included", async () => {
    const plain = new CookieStore({ keys: [NEW] });
    const ornate = new CookieStore({ keys: [NEW], cookie: { path: `/${"p".repeat(300)}` } });
    const saves = async (store: CookieStore, size: number): Promise<boolean> => {
      const ctx = new CookieJar().context();
      const session = freshSession(store, ctx, "s");
      session.set("blob", "x".repeat(size));
      return session.save().then(() => true, () => false);
    };
    let size = 1000;
    while (await saves(plain, size + 50)) size += 50; // the largest blob that fits without extra attributes
    expect(size).toBeLessThan(4096);
    expect(await saves(plain, size)).toBe(true);
    expect(await saves(ornate, size)).toBe(false);
  });

  it("errors for a value too large for a cookie, and a larger maxLength fixes it (gorilla #2)", async () => {
    const small = new CookieStore({ keys: [NEW] });
    const large = new CookieStore({ keys: [NEW], maxLength: 4096 * 4 });
    const ctx = new CookieJar().context();
    const session = freshSession(small, ctx, "s");
    session.set("big", "x".repeat(4096));
    await expect(session.save()).rejects.toMatchObject({ code: "cookie_too_large" });
    const retried = freshSession(large, ctx, "s"); // a session is bound to its store: the same values, in the larger one
    retried.set("big", "x".repeat(4096));
    await expect(retried.save()).resolves.toBeUndefined();
    expect(ctx.headers.getSetCookie()).toHaveLength(1);
  });

  it("re-issues a cookie signed with an old key, and only then", async () => {
    const jar = new CookieJar();
    const ctx1 = jar.context();
    const first = await sessions("s", new CookieStore({ keys: [OLD] })).get(ctx1);
    first.set("name", "kataras");
    await first.save(ctx1);
    jar.absorb(ctx1.headers);

    const rotated = new CookieStore({ keys: [NEW, OLD] });
    const ctx2 = jar.context();
    const second = await sessions("s", rotated).get(ctx2);
    expect(second.isDirty).toBe(true);
    await second.save(ctx2);
    jar.absorb(ctx2.headers);
    expect(ctx2.headers.getSetCookie()).toHaveLength(1);

    const ctx3 = jar.context();
    const third = await sessions("s", rotated).get(ctx3);
    expect(third.isDirty).toBe(false);
    await third.save(ctx3);
    expect(ctx3.headers.getSetCookie()).toEqual([]);

    const errors: unknown[] = [];
    const onlyOld = new CookieStore({ keys: [OLD], onError: (err) => errors.push(err) });
    expect((await loadSession(onlyOld, jar.context(), "s")).isNew).toBe(true);
    expect(errors).toHaveLength(1);
  });

  it("gives a fresh session for a cookie with a \"j\" respelled as \"Ū\" (U+016A), and reports invalid_base64", async () => {
    const errors: SessionError[] = [];
    const store = new CookieStore({ keys: [NEW], onError: (err) => errors.push(err) });
    const jar = new CookieJar();
    for (let n = 0; !(jar.cookies.get("s") ?? "").includes("j"); n++) {
      const ctx = jar.context();
      const session = freshSession(store, ctx, "s");
      session.set("role", "admin").set("n", n);
      await session.save();
      jar.absorb(ctx.headers);
    }
    expect((await loadSession(store, jar.context(), "s")).get("role")).toBe("admin");
    const cookie = jar.cookies.get("s") ?? "";
    // a Cookie header carries only bytes: the respelled value arrives percent-encoded and the parser decodes it
    jar.cookies.set("s", encodeURIComponent(cookie.replace("j", "\u016a")));
    const session = await loadSession(store, jar.context(), "s");
    expect(session.isNew).toBe(true);
    expect(session.get("role")).toBeUndefined();
    expect(errors.map((err) => [err.kind, err.code])).toEqual([["decode", "invalid_base64"]]);
  });

  it("writes the cookie attributes from the store defaults", async () => {
    const store = new CookieStore({ keys: [NEW], cookie: { domain: "example.com", secure: true, sameSite: "strict", partitioned: true } });
    const ctx = new CookieJar().context();
    const session = freshSession(store, ctx, "s");
    session.set("a", 1);
    await session.save();
    const [line] = ctx.headers.getSetCookie();
    expect(line).toMatch(/^s=[A-Za-z0-9_=-]+; Max-Age=2592000; Domain=example.com; Path=\/; Expires=.*; HttpOnly; Secure; Partitioned; SameSite=Strict$/);
  });
});
