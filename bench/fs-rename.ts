// What a save's rename costs on this disk, by what it replaces: the filesystem store (like the fs-store
// bench's baseline and session-file-store) renames its temp file over the old session file, and ext4 starts
// the new data's writeback on a rename that replaces a file (auto_da_alloc), where a rename to a fresh name
// (or over a name unlinked just before) does not. Small files of the fs-store bench's size, one at a time.
//   npx tsx bench/fs-rename.ts [dir]      (default: a new directory under the OS temp dir)
import { mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const dir = mkdtempSync(join(process.argv[2] ?? tmpdir(), "fs-rename-"));
const data = Buffer.alloc(243, 0x61);
const ops = 2_000;
const modes = {
  "write temp + rename over the file": (i: number) => renameSync(temp(i), join(dir, "target")),
  "write temp + rename to a fresh name": (i: number) => renameSync(temp(i), join(dir, `fresh-${i}`)),
  "write temp + unlink the file + rename": (i: number) => {
    try {
      unlinkSync(join(dir, "target2"));
    } catch {
      // the first op: nothing to unlink
    }
    renameSync(temp(i), join(dir, "target2"));
  },
};
function temp(i: number): string {
  const path = join(dir, `t-${i}`);
  writeFileSync(path, data);
  return path;
}
try {
  for (let round = 0; round < 3; round++) {
    for (const [label, op] of Object.entries(modes)) {
      const start = process.hrtime.bigint();
      for (let i = 0; i < ops; i++) op(round * ops + i);
      const micros = Number(process.hrtime.bigint() - start) / 1000 / ops;
      if (round > 0) console.log(`round ${round}: ${label.padEnd(40)} ${micros.toFixed(1)} µs`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
