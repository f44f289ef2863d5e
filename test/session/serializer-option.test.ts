// A session definition names its serializer as the codec does ("json", "superjson") or passes one; anything
// else is refused when the definition is made, not at its first save.
import { describe, expect, it } from "vitest";
import { createCodec } from "../../src/codec/codec.ts";
import { sessions } from "../../src/session/manager.ts";
import type { SessionConfig } from "../../src/session/session-config.ts";
import { CookieStore } from "../../src/stores/cookie-store.ts";
import { CookieJar } from "../stores/cookie-jar.ts";

const KEY = { hashKey: "s".repeat(32) };

async function storedBody(serializer: SessionConfig["serializer"]): Promise<string> {
  const store = new CookieStore({ keys: [KEY], signedOnly: true });
  const app = sessions("ser", store, { serializer });
  const jar = new CookieJar();
  const ctx = jar.context();
  const session = await app.get(ctx);
  session.set("when", new Date(0));
  await session.save();
  jar.absorb(ctx.headers);
  const raw = createCodec({ ...KEY, serializer: "raw" }).decode("ser", jar.cookies.get("ser") as string) as Uint8Array;
  return new TextDecoder().decode(raw).split("\n")[1] as string;
}

describe("the serializer option", () => {
  it('takes "json" and "superjson" by name, as the codec does', async () => {
    expect(await storedBody("json")).toBe('{"when":"1970-01-01T00:00:00.000Z"}');
    expect(await storedBody("superjson")).toContain('"meta"');
    expect(await storedBody(undefined)).toBe(await storedBody("superjson"));
  });

  it.each([["raw"], ["yaml"], [42], [{ serialize: () => new Uint8Array() }]])("refuses %j when the definition is made", (serializer) => {
    const store = new CookieStore({ keys: [KEY], signedOnly: true });
    expect(() => sessions("ser", store, { serializer: serializer as SessionConfig["serializer"] })).toThrow(
      expect.objectContaining({ code: "invalid_option", message: expect.stringContaining('serializer must be "json", "superjson"') }),
    );
  });
});
