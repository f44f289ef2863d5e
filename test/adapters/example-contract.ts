import { parseSetCookie } from "cookie";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CookieStore, FilesystemStore, type Store, generateRandomKey } from "../../src/index.ts";
import { CookieClient } from "./cookie-client.ts";

/** A running example server: its base URL and how to stop it. */
export interface RunningExample {
  url: string;
  close(): Promise<void>;
}

const keys = () => ({ hashKey: generateRandomKey(64), blockKey: generateRandomKey(32) });

/**
 * Runs the scenario every framework example must pass, against the real framework listening on 127.0.0.1
 * (port 0), once with the cookie store and once with the filesystem store; with `crypto: "webcrypto"`, both
 * stores sign and encrypt through WebCrypto (what they do where the runtime has no node:crypto).
 */
export function describeExample(
  framework: string,
  start: (store: Store) => Promise<RunningExample>,
  options: { crypto?: "webcrypto" } = {},
): void {
  const crypto = options.crypto === undefined ? {} : { crypto: options.crypto };
  const on = options.crypto === undefined ? "" : " on WebCrypto";
  describe.each(["cookie", "fs"] as const)(`the ${framework} example with the %s store${on}`, (kind) => {
    let server: RunningExample;
    let dir: string;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), `ts-${framework}-`));
      const store = kind === "cookie" ? new CookieStore({ ...keys(), ...crypto }) : new FilesystemStore({ ...keys(), dir, ...crypto });
      server = await start(store);
    });
    afterAll(async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it("counts visits across requests, carried by the session cookie", async () => {
      const client = new CookieClient(server.url);
      expect((await client.request("/visits")).body).toBe("visits: 1");
      expect((await client.request("/visits")).body).toBe("visits: 2");
      expect((await client.request("/visits")).body).toBe("visits: 3");
      expect([...client.jar.keys()]).toEqual(["user_sessions"]);
    });

    it("sets exactly one HttpOnly, SameSite=Lax, Path=/ cookie per changed response", async () => {
      const response = await new CookieClient(server.url).request("/visits");
      expect(response.setCookies).toHaveLength(1);
      const cookie = parseSetCookie(response.setCookies[0] ?? "");
      expect(cookie).toMatchObject({ name: "user_sessions", path: "/", httpOnly: true, sameSite: "lax" });
      expect(cookie.maxAge).toBe(30 * 24 * 60 * 60);
    });

    it("sends no cookie when the handler changed nothing", async () => {
      const client = new CookieClient(server.url);
      await client.request("/visits");
      expect((await client.request("/whoami")).setCookies).toEqual([]);
    });

    it("keeps each client's session apart", async () => {
      const alice = new CookieClient(server.url);
      const bob = new CookieClient(server.url);
      await alice.request("/visits");
      await alice.request("/visits");
      expect((await bob.request("/visits")).body).toBe("visits: 1");
      expect((await alice.request("/visits")).body).toBe("visits: 3");
    });

    it("logs in with a new session id, shows the flash once, and logs out", async () => {
      const client = new CookieClient(server.url);
      await client.request("/visits");
      const before = client.jar.get("user_sessions");
      const login = await client.request("/login", { method: "POST", form: { name: "kataras" } });
      expect(login.status).toBe(303);
      expect(new URL(login.location ?? "", server.url).pathname).toBe("/whoami");
      expect(client.jar.get("user_sessions")).not.toBe(before);
      expect((await client.request("/whoami")).body).toBe("name: kataras [info] Welcome, kataras!");
      expect((await client.request("/whoami")).body).toBe("name: kataras");
      const logout = await client.request("/logout", { method: "POST" });
      expect(logout.status).toBe(303);
      expect(logout.setCookies[0]).toMatch(/Max-Age=0/);
      expect(client.jar.has("user_sessions")).toBe(false);
      expect((await client.request("/whoami")).body).toBe("name: (nobody)");
    });

    if (kind === "fs") {
      it("keeps one file per live session and deletes it at logout", async () => {
        const client = new CookieClient(server.url);
        const count = () => readdirSync(dir).filter((f) => !f.startsWith(".")).length;
        const start = count();
        await client.request("/login", { method: "POST", form: { name: "a" } });
        expect(count()).toBe(start + 1);
        await client.request("/logout", { method: "POST" });
        expect(count()).toBe(start);
      });
    }
  });
}
