import { chmod, chown, lstat, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ensurePrivateDir, ensurePrivateDirSync } from "../../src/stores/fs/private-dir.ts";

describe.each([
  ["ensurePrivateDir", (dir: string) => ensurePrivateDir(dir)],
  ["ensurePrivateDirSync", async (dir: string) => ensurePrivateDirSync(dir)],
] as const)("%s", (_label, ensure) => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), "ts-private-"));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("creates a missing directory (and its parents) with mode 0700", async () => {
    const dir = join(root, "a", "sessions");
    await ensure(dir);
    expect((await lstat(dir)).mode & 0o777).toBe(0o700);
  });

  it("takes group and other permissions away from a directory of this user's", async () => {
    const dir = join(root, "open");
    await mkdir(dir);
    await chmod(dir, 0o755);
    await ensure(dir);
    expect((await lstat(dir)).mode & 0o777).toBe(0o700);
  });

  it("refuses a symlink and a file in its place", async () => {
    const target = join(root, "target");
    await mkdir(target, { mode: 0o700 });
    await symlink(target, join(root, "link"));
    await expect(ensure(join(root, "link"))).rejects.toThrow(/symbolic link/);
    await writeFile(join(root, "file"), "");
    await expect(ensure(join(root, "file"))).rejects.toThrow();
  });

  it.runIf(process.getuid?.() === 0)("refuses a directory another user owns (needs root to make one)", async () => {
    const dir = join(root, "theirs");
    await mkdir(dir);
    await chmod(dir, 0o777);
    await chown(dir, 4242, 4242);
    await expect(ensure(dir)).rejects.toThrow(/belongs to user 4242/);
    expect((await lstat(dir)).mode & 0o777).toBe(0o777); // left as it was
  });
});
