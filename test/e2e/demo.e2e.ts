// The demo in a real browser: headless Debian Chromium driven by playwright-core, checking what the
// browser's cookie jar really holds. Run with `npm run test:e2e` (needs /usr/bin/chromium).
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Cookie, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createDemoServer } from "../../examples/demo/app.ts";
import { CookieStore, FilesystemStore, type Store, generateRandomKey } from "../../src/index.ts";
import { launchChromium, listen } from "./browser.ts";

const COOKIE = "user_sessions";
const THIRTY_DAYS = 30 * 24 * 60 * 60;

let browser: Browser;
beforeAll(async () => {
  // launch() gives every run a fresh, empty user-data dir; each test then gets its own context (cookie jar).
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});


const keys = () => ({ hashKey: generateRandomKey(64), blockKey: generateRandomKey(32) });

describe.each(["cookie", "fs"] as const)("the demo in Chromium with the %s store", (kind) => {
  let server: Server;
  let base: string;
  let dir: string;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "ts-e2e-"));
    const store: Store = kind === "cookie" ? new CookieStore(keys()) : new FilesystemStore({ ...keys(), dir });
    server = createDemoServer({ store });
    base = await listen(server);
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    context = await browser.newContext();
    page = await context.newPage();
  });
  afterEach(async () => {
    await context.close();
  });

  const sessionCookie = async (): Promise<Cookie | undefined> => (await context.cookies(base)).find((c) => c.name === COOKIE);

  async function logIn(name: string, remember: boolean): Promise<void> {
    await page.goto(`${base}/login`);
    await page.fill('input[name="username"]', name);
    if (remember) await page.check('input[name="remember"]');
    await Promise.all([page.waitForURL(`${base}/`), page.click('button[type="submit"]')]);
  }

  it("logs in through the form, redirects, and shows the flash once", async () => {
    await logIn("kataras", false);
    expect(new URL(page.url()).pathname).toBe("/");
    expect(await page.locator("p.flash").allTextContents()).toEqual(["Welcome, kataras!"]);
    expect(await page.textContent("body")).toContain("Hello, kataras.");
    await page.reload();
    expect(await page.locator("p.flash").count()).toBe(0);
    expect(await page.textContent("body")).toContain("Hello, kataras.");
  });

  it("gives a cookie expiring ~maxAge ahead with remember me", async () => {
    await logIn("kataras", true);
    const cookie = await sessionCookie();
    expect(cookie).toBeDefined();
    const expected = Date.now() / 1000 + THIRTY_DAYS;
    expect(Math.abs((cookie?.expires ?? 0) - expected)).toBeLessThan(300);
  });

  it("gives a browser-session cookie (no expiry) without remember me", async () => {
    await logIn("kataras", false);
    expect((await sessionCookie())?.expires).toBe(-1);
  });

  /** Visits `path` and returns the Set-Cookie header lines of the response. */
  async function visit(path: string): Promise<string[]> {
    const response = await page.goto(`${base}${path}`);
    return (await response?.headersArray() ?? []).filter((h) => h.name.toLowerCase() === "set-cookie").map((h) => h.value);
  }

  it("keeps the browser-session cookie on a later request that changes the session (remember me unticked)", async () => {
    await logIn("kataras", false);
    const lines = await visit("/set"); // changes the session: the cookie is sent again
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(/Max-Age|Expires/i);
    expect((await sessionCookie())?.expires).toBe(-1);
    await visit("/flash");
    expect((await sessionCookie())?.expires).toBe(-1);
    await page.goto(`${base}/get`);
    expect(await page.textContent("body")).toBe("The name on the /set was: kataras");
  });

  it("keeps the persistent cookie on a later request that changes the session (remember me ticked)", async () => {
    await logIn("kataras", true);
    const lines = await visit("/set");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/Max-Age=2592000/);
    const expected = Date.now() / 1000 + THIRTY_DAYS;
    expect(Math.abs(((await sessionCookie())?.expires ?? 0) - expected)).toBeLessThan(300);
  });

  it("gives a visitor who stores nothing no cookie (and no session file)", async () => {
    const filesBefore = readdirSync(dir); // the other tests' sessions share the directory
    expect(await visit("/")).toEqual([]);
    expect(await visit("/get")).toEqual([]);
    expect(await sessionCookie()).toBeUndefined();
    expect(readdirSync(dir)).toEqual(filesBefore);
  });

  it("keeps the session cookie HttpOnly (invisible to document.cookie), SameSite=Lax, Path=/", async () => {
    await page.goto(`${base}/set`);
    expect(await page.textContent("body")).toBe("All ok session set to: kataras");
    const cookie = await sessionCookie();
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/", secure: true });
    await page.evaluate(() => {
      document.cookie = "probe=visible; path=/";
    });
    const visible = await page.evaluate(() => document.cookie);
    expect(visible).toContain("probe=visible");
    expect(visible).not.toContain(COOKIE);
    await page.goto(`${base}/get`);
    expect(await page.textContent("body")).toBe("The name on the /set was: kataras");
  });

  it("removes the cookie from the jar at logout", async () => {
    await logIn("kataras", true);
    expect(await sessionCookie()).toBeDefined();
    await Promise.all([page.waitForURL(`${base}/`), page.click('form[action="/logout"] button')]);
    expect(await page.textContent("body")).toContain("Not logged in");
    expect(await sessionCookie()).toBeUndefined();
  });

  it("refuses a login form whose CSRF token was tampered with (403), and answers GET /logout with 405", async () => {
    await page.goto(`${base}/login`);
    await page.fill('input[name="username"]', "kataras");
    await page.evaluate(() => {
      (document.querySelector('input[name="_csrf"]') as HTMLInputElement).value = "x".repeat(43);
    });
    const [response] = await Promise.all([page.waitForResponse(`${base}/login`), page.click('button[type="submit"]')]);
    expect(response.status()).toBe(403);
    await page.goto(`${base}/`);
    expect(await page.textContent("body")).toContain("Not logged in");
    expect((await page.goto(`${base}/logout`))?.status()).toBe(405);
  });

  it("changes the session id at login (regenerate)", async () => {
    await page.goto(`${base}/set`);
    const before = await sessionCookie();
    const filesBefore = kind === "fs" ? readdirSync(dir) : [];
    await logIn("kataras", false);
    const after = await sessionCookie();
    expect(after?.value).toBeDefined();
    expect(after?.value).not.toBe(before?.value);
    if (kind === "fs") {
      const filesAfter = readdirSync(dir);
      const added = filesAfter.filter((f) => !filesBefore.includes(f));
      const removed = filesBefore.filter((f) => !filesAfter.includes(f));
      expect(added).toHaveLength(1); // the new id's file
      expect(removed).toHaveLength(1); // the old id's file is gone
    }
    await page.goto(`${base}/get`);
    expect(await page.textContent("body")).toBe("The name on the /set was: kataras"); // values kept
  });
});

describe("the demo in Chromium with SameSite=Strict and Path=/ from the store options", () => {
  it("stores the cookie with the attributes the options say", async () => {
    const server = createDemoServer({ store: new CookieStore({ ...keys(), cookie: { sameSite: "strict", maxAge: 3600 } }) });
    const base = await listen(server);
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${base}/set`);
      const cookie = (await context.cookies(base)).find((c) => c.name === COOKIE);
      expect(cookie).toMatchObject({ sameSite: "Strict", path: "/", httpOnly: true });
      expect(Math.abs((cookie?.expires ?? 0) - (Date.now() / 1000 + 3600))).toBeLessThan(300);
    } finally {
      await context.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
