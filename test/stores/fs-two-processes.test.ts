// Two processes sharing one FilesystemStore directory (cluster workers, two servers on a shared disk), each
// running requests on the same session that set keys of their own: every key of both persists, through the
// public session API (issue 14's "fs, also across two processes").
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { FilesystemStore } from "../../src/stores/fs/fs-store.ts";
import { sessions } from "../../src/session/manager.ts";
import { CookieJar } from "./cookie-jar.ts";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const keys = { hashKey: "w".repeat(32), blockKey: "W".repeat(32) };
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** What each child runs: `count` requests on the session the cookie names, each setting `<tag><i>`. */
const WORKER = `
import { FilesystemStore } from "./src/stores/fs/fs-store.ts";
import { sessions } from "./src/session/manager.ts";
import { fetchContext } from "./src/http/fetch.ts";
const [dir, cookie, tag, count] = process.argv.slice(1);
const store = new FilesystemStore({ dir, hashKey: "${keys.hashKey}", blockKey: "${keys.blockKey}" });
const manager = sessions("shared", store);
await Promise.all([0, 1].map(async (lane) => {
  for (let i = lane; i < Number(count); i += 2) {
    const ctx = fetchContext(new Request("http://127.0.0.1/", { headers: { cookie } }));
    const session = await manager.get(ctx);
    if (session.isNew) throw new Error("the shared session did not load");
    session.set(tag + i, i);
    await session.save();
  }
}));
await store.close();
console.log("done");
`;

function run(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", WORKER, ...args], { cwd: REPO });
    let out = "";
    let err = "";
    const kill = setTimeout(() => proc.kill("SIGKILL"), 60_000);
    proc.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    proc.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    proc.on("exit", (code) => {
      clearTimeout(kill);
      resolve({ code, out, err });
    });
  });
}

describe("FilesystemStore shared by two processes", () => {
  it("keeps every key two processes set on one session at once (2 × 60 saves)", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "ts-two-procs-"));
    dirs.push(dir);
    const store = new FilesystemStore({ dir, ...keys });
    const manager = sessions("shared", store);
    const jar = new CookieJar();
    const ctx = jar.context();
    const session = await manager.get(ctx);
    session.set("owner", "test");
    await session.save();
    jar.absorb(ctx.headers);
    const cookie = jar.header();
    const results = await Promise.all([run([dir, cookie, "a", "60"]), run([dir, cookie, "b", "60"])]);
    for (const result of results) expect({ code: result.code, out: result.out.trim(), err: result.err }).toEqual({ code: 0, out: "done", err: "" });
    const after = await manager.get(jar.context());
    const stored = after.keys();
    expect(stored).toHaveLength(121);
    for (let i = 0; i < 60; i++) {
      expect(after.get(`a${i}`)).toBe(i);
      expect(after.get(`b${i}`)).toBe(i);
    }
    await store.close();
  }, 90_000);
});
