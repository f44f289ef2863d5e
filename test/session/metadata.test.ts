// Authentic session metadata (the `ts1 <createdAt> <accessedAt> <maxAge>` header) is still untrusted input: a
// value no save could have written must reset the session, not make every later save of it fail.
import { describe, expect, it } from "vitest";
import type { SessionError } from "../../src/errors.ts";
import { jsonSerializer } from "../../src/serializers/serializers.ts";
import { sessions } from "../../src/session/manager.ts";
import { CookieStore } from "../../src/stores/cookie-store.ts";
import { codecFor } from "../../src/stores/store-options.ts";
import { CookieJar } from "../stores/cookie-jar.ts";

const KEY = { hashKey: "m".repeat(32), blockKey: "M".repeat(32) };
const NOW = 1_700_000_000;
const DAY = 24 * 60 * 60;

function setup(cookie: { maxAge?: number } = {}) {
  const errors: SessionError[] = [];
  const store = new CookieStore({ keys: [KEY], now: () => NOW, onError: (err) => errors.push(err), cookie });
  const app = sessions("meta", store, { serializer: jsonSerializer });
  const jar = new CookieJar();
  /** Puts an authentic cookie holding `header` and `{"user":"ann"}` in the jar. */
  const plant = async (header: string): Promise<void> => {
    const codec = codecFor({ keys: [KEY] }, { maxAge: 30 * DAY, maxLength: 0, now: () => NOW });
    jar.cookies.set("meta", await codec.encode("meta", Buffer.from(`${header}\n{"user":"ann"}`, "latin1")));
  };
  return { errors, app, jar, plant };
}

describe("session metadata out of range", () => {
  it.each([
    ["a maxAge no cookie can have (the header's largest)", `ts1 ${NOW - 10} ${NOW - 10} 999999999999999`],
    ["a maxAge over 400 days", `ts1 ${NOW - 10} ${NOW - 10} ${400 * DAY + 1}`],
    ["a createdAt in the future", `ts1 ${NOW + 3650 * DAY} ${NOW - 10}`],
    ["an accessedAt in the future", `ts1 ${NOW - 10} ${NOW + 3650 * DAY}`],
    ["a createdAt no clock reaches", `ts1 999999999999999 ${NOW - 10} 60`],
  ])("%s gives a fresh session, reported as corrupt_data, that saves", async (_label, header) => {
    const { errors, app, jar, plant } = setup();
    await plant(header);
    const ctx = jar.context();
    const session = await app.get(ctx);
    expect(session.isNew).toBe(true);
    expect(session.has("user")).toBe(false);
    expect(errors.map((err) => err.code)).toEqual(["corrupt_data"]);
    expect(errors[0]?.kind).toBe("decode");
    session.set("user", "bob");
    await session.save(ctx);
    expect(ctx.headers.getSetCookie()).toHaveLength(1);
    jar.absorb(ctx.headers);
    const next = jar.context();
    expect((await app.get(next)).get("user")).toBe("bob");
    expect(errors).toHaveLength(1);
  });

  it("accepts metadata at the bounds: a 400-day maxAge, timestamps a little ahead of the store's clock", async () => {
    const { errors, app, jar, plant } = setup();
    await plant(`ts1 ${NOW + 60} ${NOW + 60} ${400 * DAY}`);
    const ctx = jar.context();
    const session = await app.get(ctx);
    expect(errors).toEqual([]);
    expect(session.get("user")).toBe("ann");
    expect(session.cookie.maxAge).toBe(400 * DAY);
    session.set("user", "bob");
    await session.save(ctx);
    expect(ctx.headers.getSetCookie()[0]).toMatch(new RegExp(`Max-Age=${400 * DAY}`));
  });
});

describe("cookie maxAge out of range", () => {
  it("is refused where the app sets it: the store's and the definition's options, at creation", () => {
    expect(() => new CookieStore({ keys: [KEY], cookie: { maxAge: 400 * DAY + 1 } })).toThrow(
      expect.objectContaining({ code: "invalid_option", message: expect.stringMatching(/maxAge .*400 days/) }),
    );
    const store = new CookieStore({ keys: [KEY] });
    expect(() => sessions("meta", store, { cookie: { maxAge: 999_999_999_999_999 } })).toThrow(
      expect.objectContaining({ code: "invalid_option" }),
    );
    expect(() => sessions("meta", store, { cookie: { maxAge: 400 * DAY } })).not.toThrow();
  });

  it.each([999_999_999_999_999, 400 * DAY + 1, Number.POSITIVE_INFINITY, Number.NaN, 3600.5])(
    "set per session (%d) fails that save with invalid_option, writes nothing, and later requests work",
    async (maxAge) => {
      const { errors, app, jar } = setup();
      const ctx = jar.context();
      const session = await app.get(ctx);
      session.set("user", "ann");
      session.cookie.maxAge = maxAge;
      const err = await session.save(ctx).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toMatchObject({ code: "invalid_option", message: expect.stringMatching(/"meta".*maxAge/) });
      expect(ctx.headers.getSetCookie()).toEqual([]);
      session.cookie.maxAge = 3600;
      await session.save(ctx);
      jar.absorb(ctx.headers);
      const next = jar.context();
      const again = await app.get(next);
      expect(again.get("user")).toBe("ann");
      again.set("visits", 1);
      await again.save(next);
      expect(next.headers.getSetCookie()).toHaveLength(1);
      expect(errors).toEqual([]);
    },
  );
});
