import { parseSetCookie } from "cookie";
import { expect } from "vitest";
import type { MemoryBackend } from "../../src/stores/memory-store.ts";
import { CookieClient } from "./cookie-client.ts";

/** The cookie name of the bound-session scenario. */
export const BOUND = "bound";

/** What the scenario needs of a session: the context-free lifecycle calls. */
interface BoundSession {
  readonly id: string;
  get(key: string): unknown;
  set(key: string, value: unknown): unknown;
  save(): Promise<void>;
  destroy(): Promise<void>;
  regenerate(): Promise<void>;
}

/**
 * Runs one step of the scenario in a handler: `get` is `users.get(<the framework's own request object>)`.
 * Each step calls it twice (one request, one session object) and then calls the lifecycle method with no
 * argument. Returns the response body.
 */
export async function runBoundStep(step: string, get: () => Promise<BoundSession>): Promise<string> {
  const session = await get();
  if ((await get()) !== session) throw new Error("two gets in one request returned two sessions");
  switch (step) {
    case "save":
      session.set("n", 1);
      await session.save();
      return session.id;
    case "read":
      return `${session.id} ${String(session.get("n"))}`;
    case "regenerate": {
      const before = session.id;
      await session.regenerate();
      return `${before} ${session.id}`;
    }
    case "destroy":
      await session.destroy();
      return "destroyed";
    default:
      throw new Error(`unknown step ${step}`);
  }
}

/**
 * Drives `/save`, `/read`, `/regenerate`, `/read`, `/destroy` on a server whose routes call
 * {@link runBoundStep} for a MemoryStore session named {@link BOUND} (kept in `backend`), and checks the
 * cookies each step sets.
 */
export async function expectBoundLifecycle(url: string, backend: MemoryBackend): Promise<void> {
  const client = new CookieClient(url);
  const only = (lines: string[]) => {
    expect(lines).toHaveLength(1);
    return parseSetCookie(lines[0] ?? "");
  };

  const saved = await client.request("/save");
  expect(saved.status).toBe(200);
  const savedCookie = only(saved.setCookies);
  expect(savedCookie).toMatchObject({ name: BOUND, path: "/", httpOnly: true, maxAge: 30 * 24 * 60 * 60 });
  const id = saved.body;
  expect(id).not.toBe("");
  expect(backend.size).toBe(1);

  const read = await client.request("/read");
  expect([read.status, read.body]).toEqual([200, `${id} 1`]);
  expect(read.setCookies).toEqual([]); // unchanged: nothing written

  const regenerated = await client.request("/regenerate");
  expect(regenerated.status).toBe(200);
  const [oldId, newId] = regenerated.body.split(" ");
  expect(oldId).toBe(id);
  expect(newId).not.toBe(id);
  const regeneratedCookie = only(regenerated.setCookies);
  expect(regeneratedCookie).toMatchObject({ name: BOUND, maxAge: 30 * 24 * 60 * 60 });
  expect(regeneratedCookie.value).not.toBe(savedCookie.value);
  expect(backend.size).toBe(1); // the old id's data is gone
  expect((await client.request("/read")).body).toBe(`${newId} 1`);

  const destroyed = await client.request("/destroy");
  expect([destroyed.status, destroyed.body]).toEqual([200, "destroyed"]);
  const destroyedCookie = only(destroyed.setCookies);
  expect(destroyedCookie).toMatchObject({ name: BOUND, value: "", maxAge: 0 });
  expect(client.jar.has(BOUND)).toBe(false);
  expect(backend.size).toBe(0);
}
