import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { unifiedDiff } from "./diff.ts";
import type { GeneratedFile } from "./generate.ts";

async function readOrEmpty(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

/** Writes the files whose content changed (atomically: temp file, then rename); returns the paths written. */
export async function writeGenerated(root: string, files: readonly GeneratedFile[]): Promise<string[]> {
  const written: string[] = [];
  for (const file of files) {
    const target = path.resolve(root, file.path);
    if ((await readOrEmpty(target)) === file.text) continue;
    await mkdir(path.dirname(target), { recursive: true });
    const temp = `${target}.${process.pid}.tmp`;
    await writeFile(temp, file.text, "utf8");
    await rename(temp, target);
    written.push(file.path);
  }
  return written;
}

/** Compares the files on disk with freshly generated ones; returns a unified diff per stale (or missing) file. */
export async function checkGenerated(root: string, files: readonly GeneratedFile[]): Promise<{ path: string; diff: string }[]> {
  const stale: { path: string; diff: string }[] = [];
  for (const file of files) {
    const current = await readOrEmpty(path.resolve(root, file.path));
    if (current === file.text) continue;
    const diff = unifiedDiff(current ?? "", file.text, current === undefined ? "/dev/null" : `a/${file.path}`, `b/${file.path}`);
    stale.push({ path: file.path, diff });
  }
  return stale;
}
