import type { Stats } from "node:fs";
import { nodeFs, nodeFsPromises } from "./node-fs.ts";

/** Group and other permission bits: none may be set on a directory of session files. */
const SHARED_BITS = 0o077;

/**
 * Says what makes `info` unfit to hold session files, or `undefined` when it is a real directory owned by
 * this process's user. File names are session ids, bearer secrets: a directory another user owns, or a
 * symlink to one, would let them list every live session.
 */
function problem(dir: string, info: Stats): string | undefined {
  if (info.isSymbolicLink()) return `${dir} is a symbolic link`;
  if (!info.isDirectory()) return `${dir} is not a directory`;
  const uid = process.getuid?.();
  if (uid !== undefined && info.uid !== uid) return `${dir} belongs to user ${info.uid}, not to this process's user ${uid}`;
  return undefined;
}

function refusal(detail: string): string {
  return `the session directory cannot be used: ${detail}, so another user could read the session ids in it. Use a directory only this user owns (created by the store with mode 0700).`;
}

/**
 * Creates `dir` with mode 0700 if it is missing, then checks that it is a directory owned by this user and
 * takes away any group or other permission; throws `Error(message)` otherwise. For the constructor.
 */
export function ensurePrivateDirSync(dir: string): void {
  nodeFs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const info = nodeFs.lstatSync(dir);
  const detail = problem(dir, info);
  if (detail !== undefined) throw new Error(refusal(detail));
  if ((info.mode & SHARED_BITS) !== 0) nodeFs.chmodSync(dir, info.mode & 0o700);
}

/** {@link ensurePrivateDirSync}, without blocking: for a directory removed while the store runs. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await nodeFsPromises.mkdir(dir, { recursive: true, mode: 0o700 });
  const info = await nodeFsPromises.lstat(dir);
  const detail = problem(dir, info);
  if (detail !== undefined) throw new Error(refusal(detail));
  if ((info.mode & SHARED_BITS) !== 0) await nodeFsPromises.chmod(dir, info.mode & 0o700);
}
