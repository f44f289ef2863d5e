// Chunked cookie sessions in a real browser: headless Chromium (playwright-core, as demo.e2e.ts launches it)
// against a node:http app on a chunking CookieStore, checking that the browser's own cookie jar holds
// exactly the chunks the session needs after growth, shrink and logout, and sends them all back.
import { type Server, createServer } from "node:http";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CookieStore, generateRandomKey, nodeContext, sessions } from "../../src/index.ts";
import { launchChromium, listen } from "./browser.ts";

/** 16,000 bytes of Cookie header: room for three full chunks (the default 6144 allows two). */
const MAX_BYTES = 16_000;

let browser: Browser;
let server: Server;
let base: string;

beforeAll(async () => {
  browser = await launchChromium();
  const store = new CookieStore({ hashKey: generateRandomKey(64), blockKey: generateRandomKey(32), chunking: { maxBytes: MAX_BYTES } });
  const big = sessions("big", store);
  // /size/<n> stores n characters, /read answers their count and the Cookie header's length, /logout destroys.
  server = createServer(async (req, res) => {
    const session = await big.get(nodeContext(req, res));
    const size = /^\/size\/(\d+)$/.exec(req.url ?? "");
    let body: string;
    if (size !== null) {
      session.set("blob", "x".repeat(Number(size[1])));
      await session.save();
      body = "stored";
    } else if (req.url === "/logout") {
      await session.destroy();
      body = "bye";
    } else {
      body = JSON.stringify({ blob: session.getString("blob")?.length ?? 0, cookieHeader: req.headers.cookie?.length ?? 0 });
    }
    res.setHeader("content-type", "text/plain");
    res.end(body);
  });
  base = await listen(server);
});
afterAll(async () => {
  await browser?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

describe("chunked cookie sessions in Chromium", () => {
  let context: BrowserContext;
  let page: Page;
  beforeEach(async () => {
    context = await browser.newContext();
    page = await context.newPage();
  });
  afterEach(async () => {
    await context.close();
  });

  const jar = async () => (await context.cookies(base)).map((c) => c.name).sort();
  const read = async (): Promise<{ blob: number; cookieHeader: number }> => {
    await page.goto(`${base}/read`);
    return JSON.parse((await page.textContent("body")) ?? "{}") as { blob: number; cookieHeader: number };
  };

  it("holds exactly the chunks needed after growth, shrink and logout, and sends them all back", async () => {
    await page.goto(`${base}/size/100`);
    expect(await jar()).toEqual(["big"]);
    expect((await read()).blob).toBe(100);

    await page.goto(`${base}/size/3000`);
    expect(await jar()).toEqual(["big", "big.1"]);
    await page.goto(`${base}/size/5000`);
    expect(await jar()).toEqual(["big", "big.1", "big.2"]);
    const grown = await read();
    expect(grown.blob).toBe(5000);
    expect(grown.cookieHeader).toBeGreaterThan(8000);
    expect(grown.cookieHeader).toBeLessThanOrEqual(MAX_BYTES);

    await page.goto(`${base}/size/3000`);
    expect(await jar()).toEqual(["big", "big.1"]);
    expect((await read()).blob).toBe(3000);
    await page.goto(`${base}/size/10`);
    expect(await jar()).toEqual(["big"]);
    expect((await read()).blob).toBe(10);

    await page.goto(`${base}/size/5000`);
    expect(await jar()).toEqual(["big", "big.1", "big.2"]);
    await page.goto(`${base}/logout`);
    expect(await jar()).toEqual([]);
    expect(await read()).toEqual({ blob: 0, cookieHeader: 0 });
  });

  it("keeps every chunk with the same attributes: HttpOnly, Secure, SameSite=Lax, Path=/, one expiry", async () => {
    await page.goto(`${base}/size/5000`);
    const cookies = await context.cookies(base);
    expect(cookies).toHaveLength(3);
    for (const cookie of cookies) expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: "Lax", path: "/", domain: "127.0.0.1" });
    const expiries = cookies.map((c) => c.expires);
    expect(Math.max(...expiries) - Math.min(...expiries)).toBeLessThan(2);
    expect(await page.evaluate(() => document.cookie)).toBe("");
  });

  it("starts a fresh session when a chunk goes missing from the jar, and the next save leaves one whole set", async () => {
    await page.goto(`${base}/size/5000`);
    const kept = (await context.cookies(base)).filter((c) => c.name !== "big.1");
    await context.clearCookies();
    await context.addCookies(kept);
    expect(await jar()).toEqual(["big", "big.2"]);
    expect((await read()).blob).toBe(0);
    await page.goto(`${base}/size/100`);
    expect(await jar()).toEqual(["big"]);
    expect((await read()).blob).toBe(100);
  });
});
