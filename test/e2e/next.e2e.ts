// The Next.js example (examples/next) as its users get it: the packed package installed into a copy of the
// example, `typed-sessions gen --check`, `next build`, `next start` on 127.0.0.1, driven by headless
// Chromium: a session set by a route handler and by a Server Action form, read in Server Components and
// route handlers, the proxy redirecting visitors without a session, a Server Component's save refused with
// cookies_read_only, and what the browser's cookie jar holds after each step.
//
// CONSUMERS_TARBALL (a packed typed-sessions .tgz) and CONSUMERS_NPM_CACHE (an npm cache) are shared with the
// consumer matrix (.ci/run sets both); without them the test packs the repository and uses a fresh cache in
// its temporary directory. KEEP_NEXT_E2E=1 keeps that directory (the app, its build and a log).
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Cookie, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type StartedServer, killAll, run, startServer } from "../consumers/lib/proc.mjs";
import { launchChromium } from "./browser.ts";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const EXAMPLE = join(REPO, "examples", "next");
const COOKIE = "user_sessions";
const THIRTY_DAYS = 30 * 24 * 60 * 60;
const NPM_FLAGS = ["--no-audit", "--no-fund", "--prefer-offline", "--loglevel=warn"];

const root = mkdtempSync(join(tmpdir(), "typed-sessions-next-e2e-"));
const log = join(root, "next-e2e.log");
const app = join(root, "app");
/** Children get none of the npm_* variables `npm run` sets for this repository, and the shared cache. */
const env: NodeJS.ProcessEnv = {
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== "INIT_CWD")),
  npm_config_cache: process.env["CONSUMERS_NPM_CACHE"] ?? join(root, "npm-cache"),
  npm_config_audit: "false",
  npm_config_fund: "false",
  npm_config_update_notifier: "false",
  NEXT_TELEMETRY_DISABLED: "1",
  NO_COLOR: "1",
};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** The packed package: CONSUMERS_TARBALL, else `npm pack` of the repository (its prepack builds dist/). */
async function tarball(): Promise<string> {
  const given = process.env["CONSUMERS_TARBALL"];
  if (given !== undefined && given !== "") return given;
  const dest = join(root, "pack");
  mkdirSync(dest);
  await run("npm", ["pack", "--pack-destination", dest], { cwd: REPO, env, log, timeoutMs: 300_000 });
  const files = readdirSync(dest).filter((f) => f.endsWith(".tgz"));
  if (files.length !== 1) throw new Error(`npm pack left ${files.length} tarballs in ${dest}`);
  return join(dest, files[0] as string);
}

/** The example copied without what a local run of it leaves (node_modules, .next), depending on `tgz`. */
function copyExample(tgz: string): void {
  cpSync(EXAMPLE, app, {
    recursive: true,
    filter: (from) => !/[\\/](node_modules|\.next|next-env\.d\.ts|\.env[^\\/]*)$/.test(from),
  });
  const manifest = JSON.parse(readFileSync(join(app, "package.json"), "utf8")) as { dependencies: Record<string, string> };
  manifest.dependencies["typed-sessions"] = `file:${tgz}`;
  writeFileSync(join(app, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
}

const bin = (name: string) => join(app, "node_modules", ".bin", name);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

let server: StartedServer | undefined;
let browser: Browser | undefined;
let base: string;

beforeAll(async () => {
  const timings: string[] = [];
  const step = async <T>(label: string, body: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const result = await body();
    timings.push(`${label} ${seconds(performance.now() - started)}`);
    return result;
  };
  const tgz = await step("pack", tarball);
  copyExample(tgz);
  await step("npm install", () => run("npm", ["install", ...NPM_FLAGS], { cwd: app, env, log, timeoutMs: 480_000 }));
  // The generated module committed with the example is what the packed generator writes from its schema.
  const check = await run(bin("typed-sessions"), ["gen", "--check"], { cwd: app, env, log });
  expect(check.stdout).toMatch(/up to date/);
  await step("next build", () => run(bin("next"), ["build"], { cwd: app, env, log, timeoutMs: 480_000 }));
  const keygen = await run(bin("typed-sessions"), ["keygen", "--block"], { cwd: app, env, log });
  const keys = Object.fromEntries(keygen.stdout.split("\n").flatMap((line) => (/^SESSION_(HASH|BLOCK)_KEY=/.test(line) ? [line.split("=", 2) as [string, string]] : [])));
  expect(Object.keys(keys).sort()).toEqual(["SESSION_BLOCK_KEY", "SESSION_HASH_KEY"]);
  const port = await freePort();
  server = await step("next start", () =>
    startServer(bin("next"), ["start", "-H", "127.0.0.1", "-p", String(port)], { cwd: app, env: { ...env, ...keys }, log, ready: /Ready in/, port, timeoutMs: 60_000 }),
  );
  base = `http://127.0.0.1:${port}`;
  browser = await launchChromium();
  console.log(`Next.js example: ${timings.join(", ")}`);
}, 1_200_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  killAll();
  if (process.env["KEEP_NEXT_E2E"] === "1") console.log(`kept ${root}`);
  else rmSync(root, { recursive: true, force: true, maxRetries: 3 });
});

describe("the Next.js example in Chromium", () => {
  let context: BrowserContext;
  let page: Page;

  beforeEach(async () => {
    context = await (browser as Browser).newContext();
    page = await context.newPage();
  });
  afterEach(async () => {
    await context.close();
  });

  const sessionCookie = async (): Promise<Cookie | undefined> => (await context.cookies(base)).find((c) => c.name === COOKIE);
  const text = async (selector: string): Promise<string> => (await page.textContent(selector))?.trim() ?? "";

  /** Expects the session cookie the library's defaults give: HttpOnly, Secure, SameSite=Lax, Path=/, 30 days. */
  function expectDefaultAttributes(cookie: Cookie | undefined): void {
    expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: "Lax", path: "/" });
    expect(Math.abs((cookie?.expires ?? 0) - (Date.now() / 1000 + THIRTY_DAYS))).toBeLessThan(300);
  }

  it("sets the session in a route handler, reads it in a Server Component and a route handler, and clears it", async () => {
    await page.goto(`${base}/set`);
    expect(await text("body")).toBe("All ok session set to: kataras");
    expectDefaultAttributes(await sessionCookie());
    await page.goto(`${base}/`);
    expect(await text("#greeting")).toBe("Hello, kataras.");
    await page.goto(`${base}/get`);
    expect(await text("body")).toBe("The name on the /set was: kataras");
    await page.goto(`${base}/clear`);
    expect(await text("body")).toBe("Cleared");
    expect(await sessionCookie()).toBeUndefined();
    await page.goto(`${base}/`);
    expect(await text("#greeting")).toBe("Nobody is signed in.");
  });

  it("redirects from the proxy to /login without a session, and with a tampered cookie", async () => {
    const response = await page.goto(`${base}/account`);
    expect(new URL(page.url()).pathname).toBe("/login");
    expect(response?.request().redirectedFrom()?.url()).toBe(`${base}/account`);
    expect((await response?.request().redirectedFrom()?.response())?.status()).toBe(307);
    await page.goto(`${base}/set`);
    const cookie = (await sessionCookie()) as Cookie;
    const tampered = `${cookie.value.slice(0, 20)}${cookie.value[20] === "A" ? "B" : "A"}${cookie.value.slice(21)}`;
    await context.addCookies([{ ...cookie, value: tampered }]);
    await page.goto(`${base}/account`);
    expect(new URL(page.url()).pathname).toBe("/login");
  });

  it("signs in through a Server Action form, shows the account in a Server Component, and signs out", async () => {
    const before = Date.now();
    await page.goto(`${base}/login`);
    await page.fill('input[name="name"]', "alice");
    await Promise.all([page.waitForURL(`${base}/account`), page.click('button[type="submit"]')]);
    expect(await text("#who")).toBe("Signed in as alice");
    const since = Date.parse((await text("#since")).replace(/^since /, "")); // a Date, as the schema says
    expect(since).toBeGreaterThanOrEqual(before - 1000);
    expect(since).toBeLessThanOrEqual(Date.now() + 1000);
    expectDefaultAttributes(await sessionCookie()); // set by cookies().set in the action
    await page.goto(`${base}/get`); // the cookie a Server Action set, read by a route handler
    expect(await text("body")).toBe("The name on the /set was: alice");
    await page.goto(`${base}/account`);
    await Promise.all([page.waitForURL(`${base}/login`), page.click('button[type="submit"]')]);
    expect(await sessionCookie()).toBeUndefined();
    await page.goto(`${base}/account`);
    expect(new URL(page.url()).pathname).toBe("/login");
  });

  it("refuses a save in a Server Component with cookies_read_only, and leaves the cookie as it was", async () => {
    await page.goto(`${base}/set`);
    const cookie = await sessionCookie();
    const response = await page.goto(`${base}/read-only`);
    const outcome = page.locator("#outcome");
    expect(await outcome.getAttribute("data-code")).toBe("cookies_read_only");
    expect(await outcome.getAttribute("data-kind")).toBe("usage");
    expect(await outcome.textContent()).toMatch(/^typed-sessions: .*Save the session in a Server Action or a Route Handler\.$/);
    expect(await response?.headerValue("set-cookie")).toBeNull();
    expect(await sessionCookie()).toEqual(cookie);
  });
});
