// Sessions through a cookie jar: Next.js's `await cookies()` (next/headers), emulated here by two jars that
// behave as Next 16's do: a mutable one (Server Actions, Route Handlers: `set` replaces the cookie of the same
// name) and a read-only one (Server Components: `set` throws). The real thing runs in test/e2e/next.e2e.ts.
import { describe, expect, expectTypeOf, it } from "vitest";
import { SessionError } from "../../src/errors.ts";
import type { RequestSource } from "../../src/http/context-source.ts";
import { type CookieJar, jarContext } from "../../src/http/cookie-jar.ts";
import { defaultCookieOptions } from "../../src/http/cookie-options.ts";
import { saveAll, sessions } from "../../src/session/manager.ts";
import { CookieStore } from "../../src/stores/cookie-store.ts";
import { MemoryStore } from "../../src/stores/memory-store.ts";
import { user } from "../../schemas/user.gen.ts";
import type { UserSession } from "../../schemas/user.gen.ts";

type Attributes = Parameters<CookieJar["set"]>[2];

/** A mutable jar: the request's cookies, then whatever this request set (by name, the last set winning). */
class MutableJar implements CookieJar {
  readonly cookies: Map<string, string>;
  readonly sets: { name: string; value: string; attributes: Attributes }[] = [];

  constructor(cookies: Record<string, string> = {}) {
    this.cookies = new Map(Object.entries(cookies));
  }

  get(name: string): { name: string; value: string } | undefined {
    const value = this.cookies.get(name);
    return value === undefined ? undefined : { name, value };
  }

  set(name: string, value: string, attributes: Attributes): this {
    this.sets.push({ name, value, attributes });
    this.cookies.set(name, value);
    return this;
  }
}

/** A Server Component's jar: reads, and refuses every set as Next.js does. */
class ReadOnlyJar extends MutableJar {
  override set(): never {
    throw new Error("Cookies can only be modified in a Server Action or Route Handler.");
  }
}

const keys = { hashKey: "h".repeat(32), blockKey: "b".repeat(32) };

describe("a session through a cookie jar", () => {
  it("reads the session cookie with get and saves it with set", async () => {
    const store = new CookieStore(keys);
    const first = new MutableJar();
    const session = await sessions("user_sessions", store).get(first);
    session.set("name", "kataras");
    await session.save();
    expect(first.sets).toHaveLength(1);
    const value = first.sets[0]?.value ?? "";
    const again = await sessions("user_sessions", store).get(new MutableJar({ user_sessions: value }));
    expect(again.isNew).toBe(false);
    expect(again.get("name")).toBe("kataras");
  });

  it("sets the cookie with the store's attributes: Path=/, HttpOnly, Secure, SameSite=Lax, 30 days", async () => {
    const jar = new MutableJar();
    const session = await sessions("s", new CookieStore(keys)).get(jar);
    session.set("a", 1);
    await session.save();
    expect(jar.sets[0]?.attributes).toEqual({ path: "/", httpOnly: true, secure: true, sameSite: "lax", maxAge: 2592000 });
  });

  it("gives a browser-session cookie neither maxAge nor expires, and deletes with maxAge 0 and an Expires in 1970", async () => {
    const jar = new MutableJar();
    const store = new CookieStore({ ...keys, cookie: { maxAge: 0, sameSite: "strict", domain: "example.com", priority: "high" } });
    const session = await sessions("s", store).get(jar);
    session.set("a", 1);
    await session.save();
    expect(jar.sets[0]?.attributes).toEqual({ path: "/", domain: "example.com", httpOnly: true, secure: true, sameSite: "strict", priority: "high" });
    await session.destroy();
    expect(jar.sets[1]).toMatchObject({ value: "", attributes: { maxAge: 0, expires: new Date(1000) } });
  });

  it("reads a cookie the request deleted (an empty value) as no cookie, without reporting a decode error", async () => {
    const errors: unknown[] = [];
    const session = await sessions("s", new CookieStore(keys), { onError: (err) => errors.push(err) }).get(new MutableJar({ s: "" }));
    expect(session.isNew).toBe(true);
    expect(errors).toEqual([]);
  });

  it("loads one session per jar and name, which saveAll(jar) saves", async () => {
    const store = new MemoryStore(keys);
    const counter = sessions("counter", store);
    const jar = new MutableJar();
    const session = await counter.get(jar);
    expect(await counter.get(jar)).toBe(session);
    session.increment("n");
    await saveAll(jar);
    expect(jar.sets.map((s) => s.name)).toEqual(["counter"]);
    expect(store.backend.size).toBe(1);
    expect(await counter.get(new MutableJar())).not.toBe(session); // another request's jar
  });

  it("measures the header as Next.js writes it: the value percent-encoded", () => {
    const pending = jarContext(new MutableJar()).prepareCookie("s", "YWJj==", defaultCookieOptions());
    expect(pending.header).toMatch(/^s=YWJj%3D%3D; Max-Age=2592000; /);
  });

  it("gives typed sessions from a generated module", async () => {
    const users = user.sessions(new CookieStore(keys));
    const session = await users.get(new MutableJar());
    expectTypeOf(session).toEqualTypeOf<UserSession>();
    session.name = "kataras";
    expect(session.name).toBe("kataras");
  });

  it("accepts Next.js's cookie store type (get by name or { name }, set by name or by one object)", () => {
    interface NextLikeCookies {
      get(...args: [name: string] | [{ name: string; value: string }]): { name: string; value: string } | undefined;
      set(...args: [name: string, value: string, cookie?: Partial<{ path: string; maxAge: number; expires: Date | number; sameSite: boolean | "lax" | "strict" | "none" }>] | [options: { name: string; value: string }]): NextLikeCookies;
    }
    expectTypeOf<NextLikeCookies>().toExtend<RequestSource>();
    expectTypeOf<{ get(name: string): string | undefined; set(name: string, value: string): void }>().not.toExtend<CookieJar>();
  });
});

describe("a session through a read-only cookie jar (a Server Component)", () => {
  it("rejects save with cookies_read_only, a usage error that says where to save, with the jar's error as cause", async () => {
    const session = await sessions("s", new CookieStore(keys)).get(new ReadOnlyJar());
    session.set("a", 1);
    const err = await session.save().then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(SessionError);
    expect(err).toMatchObject({ code: "cookies_read_only", kind: "usage" });
    expect((err as Error).message).toMatch(/^typed-sessions: .*Server Action or a Route Handler/);
    expect(((err as Error).cause as Error).message).toMatch(/^Cookies can only be modified/);
  });

  it("reads the session the request carries", async () => {
    const store = new CookieStore(keys);
    const writer = new MutableJar();
    const session = await sessions("s", store).get(writer);
    session.set("name", "kataras");
    await session.save();
    const reader = await sessions("s", store).get(new ReadOnlyJar({ s: writer.sets[0]?.value ?? "" }));
    expect(reader.get("name")).toBe("kataras");
  });

  it("refuses later saves of the request before a server store writes their data", async () => {
    const store = new MemoryStore(keys);
    const jar = new ReadOnlyJar();
    const first = await sessions("first", store).get(jar);
    first.set("a", 1);
    await expect(first.save()).rejects.toMatchObject({ code: "cookies_read_only" });
    const written = store.backend.size; // the first save wrote its data before the jar refused the cookie
    const second = await sessions("second", store).get(jar);
    second.set("b", 2);
    await expect(second.save()).rejects.toMatchObject({ code: "cookies_read_only" });
    expect(store.backend.size).toBe(written);
  });

  it("rejects destroy with cookies_read_only", async () => {
    const session = await sessions("s", new CookieStore(keys)).get(new ReadOnlyJar());
    await expect(session.destroy()).rejects.toMatchObject({ code: "cookies_read_only" });
  });
});

describe("objects with get and set that are no cookie jar", () => {
  const counter = sessions("counter", new CookieStore(keys));

  it.each([
    ["a Hono-like c without the middleware", { req: { raw: new Request("http://127.0.0.1/") }, get() {}, set() {} }],
    ["an Express-like res", { req: {}, get() {}, set() {} }],
    ["a Fastify-like object with raw", { raw: { headers: {} }, get() {}, set() {} }],
  ])("rejects %s with missing_middleware", async (_label, source) => {
    await expect(counter.get(source as unknown as RequestSource)).rejects.toMatchObject({ code: "missing_middleware" });
  });
});
