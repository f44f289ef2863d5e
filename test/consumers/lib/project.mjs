// A consumer project in a temporary directory: package.json, fixtures copied in, npm / npx / node run in it
// with the shared npm cache, servers started and stopped, keys made with the package's own keygen.
import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseKeys } from "./checks.mjs";
import { killGroup, run, startServer } from "./proc.mjs";

export const FIXTURES = fileURLToPath(new URL("../fixtures/", import.meta.url));

/** The flags every npm install of the harness gets (the shared cache comes from the env). */
export const NPM_FLAGS = ["--no-audit", "--no-fund", "--prefer-offline", "--loglevel=warn"];

export class Project {
  /**
   * @param {object} o
   * @param {string} o.dir the project directory (created)
   * @param {string} o.log the row's log file
   * @param {Record<string,string>} o.env the environment of every command
   * @param {string} o.tarball the packed typed-sessions .tgz
   */
  constructor({ dir, log, env, tarball, type = "module" }) {
    this.dir = dir;
    this.log = log;
    this.env = env;
    this.tarball = tarball;
    this.servers = new Set();
    this.children = new Set();
    this.keys = undefined;
    mkdirSync(dir, { recursive: true });
    if (!existsSync(path.join(dir, "package.json"))) {
      writeFileSync(path.join(dir, "package.json"), `${JSON.stringify({ name: `consumer-${path.basename(dir)}`, version: "1.0.0", private: true, type }, null, 2)}\n`);
    }
  }

  /** Runs a command in the project; options as proc.run (cwd, env and log are the project's). */
  exec(cmd, args, options = {}) {
    return run(cmd, args, { cwd: this.dir, log: this.log, track: this.children, ...options, env: { ...this.env, ...this.keys, ...options.env } });
  }

  /** `npm install <packages>` (dev: as devDependencies), with the shared cache. */
  install(packages, { dev = false, timeoutMs = 240_000 } = {}) {
    return this.exec("npm", ["install", ...(dev ? ["--save-dev"] : []), ...NPM_FLAGS, ...packages], { timeoutMs });
  }

  /** `npx --no -- <bin> args`: the project's own bin, never one downloaded (`npx typed-sessions gen`). */
  npx(bin, args, options = {}) {
    return this.exec("npx", ["--no", "--", bin, ...args], options);
  }

  /** Runs the tool `node_modules/.bin/<name>` of the project (tsc, esbuild, vite, next). */
  bin(name, args, options = {}) {
    return this.exec(path.join(this.dir, "node_modules", ".bin", name), args, options);
  }

  /**
   * Copies fixture files into the project: `files` maps a destination (relative to the project) to a
   * fixture (relative to fixtures/); `.tpl` fixtures are TypeScript kept out of the repository's own
   * type-check. `rewrite(text)` may change each file's text (the import extensions of a row).
   */
  copy(files, rewrite) {
    for (const [dest, fixture] of Object.entries(files)) {
      const to = path.join(this.dir, dest);
      mkdirSync(path.dirname(to), { recursive: true });
      const from = path.join(FIXTURES, fixture);
      if (rewrite) writeFileSync(to, rewrite(readFileSync(from, "utf8")));
      else copyFileSync(from, to);
    }
  }

  write(dest, text) {
    const to = path.join(this.dir, dest);
    mkdirSync(path.dirname(to), { recursive: true });
    writeFileSync(to, text);
  }

  read(file) {
    return readFileSync(path.join(this.dir, file), "utf8");
  }

  exists(file) {
    return existsSync(path.join(this.dir, file));
  }

  /** Makes the keys with the installed package's CLI (`keygen --block`); later servers get them in their env. */
  async keygen(runner = (args) => this.npx("typed-sessions", args)) {
    const { stdout, stderr } = await runner(["keygen", "--block"]);
    assert.match(stderr, /new CookieStore\(keysFromEnv\(process\.env\)\)/, "keygen's hint on reading the keys");
    this.keys = parseKeys(stdout);
    return this.keys;
  }

  /** Starts a server in the project (with the keys), runs `check(base)` against it, and stops it. */
  async serve(cmd, args, check, options = {}) {
    const server = await startServer(cmd, args, { cwd: this.dir, log: this.log, track: this.children, ...options, env: { ...this.env, ...this.keys, ...options.env } });
    this.servers.add(server);
    try {
      return await check(`http://127.0.0.1:${server.port}`, server);
    } finally {
      await server.stop();
      this.servers.delete(server);
    }
  }

  /** Kills every process of the project still running (a row that timed out), by its process group. */
  async stopAll() {
    await Promise.all([...this.children].map((child) => killGroup(child, 500)));
    this.children.clear();
    this.servers.clear();
  }
}

/** Rewrites relative `.js` imports of the fixtures to `ext` (".ts" for Deno, "" for Next.js). */
export function relativeImportsTo(ext) {
  return (text) => text.replace(/(from\s+"|import\(")(\.{1,2}\/[^"]+?)\.js"/g, `$1$2${ext}"`);
}

/** The schema-module import of a generated module (e.g. `./user.js`). */
export function schemaImport(generated) {
  const match = /^import \{ user as userDefinition \} from "([^"]+)";$/m.exec(generated);
  assert.ok(match, `the generated module imports its schema module:\n${generated.slice(0, 600)}`);
  return match[1];
}
