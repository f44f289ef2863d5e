import { type FSWatcher, watch } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import path from "node:path";

/** What {@link watchDirectory} does with changes. */
export interface WatchOptions {
  /** Stops watching when aborted. */
  readonly signal?: AbortSignal | undefined;
  /** Tells whether a change of the file `name` (relative to the watched directory) counts. */
  changed(name: string): boolean;
  /** Runs once per burst of counted changes (50 ms apart at most). */
  run(): void;
}

/**
 * Watches `dir` and every directory below it until `options.signal` aborts. Directories are watched, not
 * files, so a save that replaces a file (editors' atomic saves, `sed -i`, `git checkout`: a rename over the
 * old file) is seen like any other, every time; a directory created later is watched from then on.
 */
export async function watchDirectory(dir: string, options: WatchOptions): Promise<void> {
  const watchers = new Map<string, FSWatcher>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));

  const close = (): void => {
    if (closed) return;
    closed = true;
    clearTimeout(timer);
    for (const watcher of watchers.values()) watcher.close();
    watchers.clear();
    done();
  };
  const add = async (sub: string): Promise<void> => {
    if (closed || watchers.has(sub)) return;
    if ((await stat(sub).catch(() => undefined))?.isDirectory() !== true || closed || watchers.has(sub)) return;
    let watcher: FSWatcher;
    try {
      watcher = watch(sub, (_event, name) => {
        if (name === null) return;
        const file = path.join(sub, name.toString());
        void add(file).catch(() => undefined); // a new directory, watched from now on (a file fails: fine)
        if (!options.changed(path.relative(dir, file))) return;
        clearTimeout(timer);
        timer = setTimeout(options.run, 50);
      });
    } catch {
      return; // not a directory, or gone already
    }
    watcher.on("error", () => {
      watcher.close();
      watchers.delete(sub);
    });
    watchers.set(sub, watcher);
    for (const entry of await readdir(sub, { withFileTypes: true }).catch(() => [])) {
      if (entry.isDirectory() && entry.name !== "node_modules") await add(path.join(sub, entry.name));
    }
  };

  if (options.signal?.aborted === true) return;
  options.signal?.addEventListener("abort", close, { once: true });
  await add(dir);
  if (watchers.size === 0) close();
  await finished;
}
