#!/usr/bin/env node
// The consumer matrix (npm run test:consumers): packs typed-sessions once, installs the tarball into fresh
// projects under the system temp directory and runs the README's seed example and a generated typed
// session in each way a consumer may use the package (see lib/rows.mjs and README.md here). Prints one
// PASS/FAIL line per row with its duration, the install footprint and cold start figures, and ends with
// "N passed, M failed"; exits 1 when a row failed.
//
//   node test/consumers/run.mjs [ROW...]   rows by id (default: all but opt-in ones); --list lists them
//   KEEP_CONSUMERS=1        keep the temporary projects (their path is printed), with a log per row
//   CONSUMERS_SKIP=a,b      leave these rows out (e.g. CONSUMERS_SKIP=next,bun)
//   CONSUMERS_TARBALL=FILE  use this tarball instead of running npm pack
//   CONSUMERS_NPM_CACHE=DIR npm cache to share (default: a fresh one inside the run's temporary directory)
//   CONSUMERS_JOBS=N        rows run at once (default 3)
//   CONSUMERS_MEASURE=0     skip the footprint / cold start measurement
//
// A row with `knownFailure` (a reason, e.g. the issue it waits for) that fails is printed as FAIL with that
// reason but not counted; one that passes is counted as failed, so that its mark gets removed.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { measure } from "./lib/measure.mjs";
import { killAll, run, tail } from "./lib/proc.mjs";
import { Project } from "./lib/project.mjs";
import { ROWS } from "./lib/rows.mjs";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const started = performance.now();
const args = process.argv.slice(2);

if (args.includes("--list")) {
  for (const row of ROWS) {
    console.log(`${row.id.padEnd(12)} ${row.name}${row.optIn ? `  (opt-in: ${row.optIn}=1)` : ""}${row.knownFailure ? `  (known failure: ${row.knownFailure})` : ""}`);
  }
  console.log(`${"measure".padEnd(12)} install footprint and cold start (CONSUMERS_MEASURE=0 skips it)`);
  process.exit(0);
}
const unknown = args.filter((a) => a !== "measure" && !ROWS.some((r) => r.id === a));
if (unknown.length > 0) {
  console.error(`unknown row(s): ${unknown.join(", ")}; rows: ${ROWS.map((r) => r.id).join(", ")}, measure`);
  process.exit(2);
}
const skip = new Set((process.env.CONSUMERS_SKIP ?? "").split(",").map((s) => s.trim()).filter(Boolean));
const selected = args.length > 0 ? ROWS.filter((r) => args.includes(r.id)) : ROWS.filter((r) => !skip.has(r.id) && (!r.optIn || process.env[r.optIn] === "1"));
const skippedOptIn = args.length > 0 ? [] : ROWS.filter((r) => skip.has(r.id) || (r.optIn && process.env[r.optIn] !== "1"));
const measuring = args.length > 0 ? args.includes("measure") : process.env.CONSUMERS_MEASURE !== "0";
const keep = process.env.KEEP_CONSUMERS === "1";
const jobs = Math.max(1, Number(process.env.CONSUMERS_JOBS ?? 3));

const root = mkdtempSync(path.join(os.tmpdir(), "typed-sessions-consumers-"));
const logs = path.join(root, "logs");
mkdirSync(logs);
const cache = process.env.CONSUMERS_NPM_CACHE ? path.resolve(process.env.CONSUMERS_NPM_CACHE) : path.join(root, "npm-cache");

// Children get a clean environment: none of the npm_* variables `npm run` sets for this repository.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== "INIT_CWD"));
Object.assign(env, {
  npm_config_cache: cache,
  npm_config_audit: "false",
  npm_config_fund: "false",
  npm_config_update_notifier: "false",
  NEXT_TELEMETRY_DISABLED: "1",
  // Tools' caches and state stay inside the run's directory (pnpm, Bun, Deno, anything on XDG).
  XDG_CACHE_HOME: path.join(root, "xdg", "cache"),
  XDG_STATE_HOME: path.join(root, "xdg", "state"),
  XDG_DATA_HOME: path.join(root, "xdg", "data"),
  BUN_INSTALL_CACHE_DIR: path.join(root, "bun-cache"),
  BUN_RUNTIME_TRANSPILER_CACHE_PATH: "0",
  DENO_DIR: path.join(root, "deno-dir"),
  DENO_NO_UPDATE_CHECK: "1",
  NO_COLOR: "1",
  FORCE_COLOR: "0",
});

let cleaned = false;
function cleanup() {
  if (cleaned) return;
  cleaned = true;
  killAll();
  if (keep) console.log(`kept the consumer projects and logs in ${root}`);
  else rmSync(root, { recursive: true, force: true, maxRetries: 3 });
}
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    console.log(`\n${signal}: stopping`);
    cleanup();
    process.exit(130);
  });
}

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const results = [];

function report(id, name, ok, ms, notes, error, knownFailure) {
  results.push({ id, name, ok, ms, knownFailure });
  const lines = [`${ok ? "PASS" : "FAIL"}  ${id.padEnd(12)} ${name}  (${seconds(ms)})`];
  if (knownFailure !== undefined) {
    lines.push(ok ? `        a known failure (${knownFailure}) that passes now: remove its knownFailure mark in lib/rows.mjs` : `        known failure, not counted: ${knownFailure}`);
  }
  for (const note of notes) lines.push(`        ${note}`);
  if (error !== undefined) {
    lines.push(`        ${String(error.message ?? error).split("\n").join("\n        ")}`);
    if (error.output) lines.push(tail(error.output, 40).replace(/^/gm, "        | "));
    if (keep) lines.push(`        log: ${path.join(logs, `${id}.log`)}`);
  }
  console.log(lines.join("\n"));
}

/** The context a row runs with: where it is, how to make projects, shared setups, notes for its PASS line. */
function context(id, notes, projects) {
  const log = path.join(logs, `${id}.log`);
  return {
    root,
    env,
    tarball,
    log,
    note: (text) => notes.push(text),
    project(name, options = {}) {
      const p = new Project({ dir: path.join(root, name), log, env, tarball, ...options });
      projects.push(p);
      return p;
    },
    /** A setup several rows use (made once, by the first row asking; its projects outlive that row). */
    shared(key, make) {
      if (!shared.has(key)) shared.set(key, make({ ...this, project: (name, options = {}) => sharedProject(name, log, options) }));
      return shared.get(key);
    },
  };
}
const shared = new Map();
const sharedProjects = [];
function sharedProject(name, log, options) {
  const p = new Project({ dir: path.join(root, name), log, env, tarball, ...options });
  sharedProjects.push(p);
  return p;
}

async function runRow(id, name, timeoutMs, body, knownFailure) {
  const t0 = performance.now();
  const notes = [];
  const projects = [];
  let timer;
  try {
    await Promise.race([
      body(context(id, notes, projects)),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`row timed out after ${seconds(timeoutMs)}`)), timeoutMs);
      }),
    ]);
    report(id, name, true, performance.now() - t0, notes, undefined, knownFailure);
  } catch (error) {
    report(id, name, false, performance.now() - t0, notes, error, knownFailure);
  } finally {
    clearTimeout(timer);
    await Promise.all(projects.map((p) => p.stopAll()));
  }
}

console.log(`typed-sessions consumer matrix: node ${process.version}, npm cache ${cache}, ${jobs} row(s) at a time`);
for (const row of skippedOptIn) console.log(`(not run: ${row.id}, ${skip.has(row.id) ? "CONSUMERS_SKIP" : `opt-in with ${row.optIn}=1`})`);

// 1. The tarball, packed once (prepack builds dist/).
let tarball = process.env.CONSUMERS_TARBALL ? path.resolve(process.env.CONSUMERS_TARBALL) : undefined;
await runRow("pack", tarball ? `given tarball ${tarball}` : "npm pack (prepack: npm run build)", 300_000, async (t) => {
  if (tarball === undefined) {
    const dest = path.join(root, "pack");
    mkdirSync(dest);
    await run("npm", ["pack", "--pack-destination", dest], { cwd: REPO, env, log: t.log, timeoutMs: 240_000 });
    const files = readdirSync(dest).filter((f) => f.endsWith(".tgz"));
    if (files.length !== 1) throw new Error(`npm pack left ${files.length} tarballs in ${dest}`);
    tarball = path.join(dest, files[0]);
  }
  statSync(tarball);
  t.note(`${path.basename(tarball)}: ${(statSync(tarball).size / 1024).toFixed(1)} KB`);
});

// 2. The rows, a few at a time.
if (tarball !== undefined && results.at(-1).ok) {
  // Rows marked startFirst (the longest, Next.js) start first, so that the run does not end waiting on them.
  const queue = [...selected.filter((r) => r.startFirst), ...selected.filter((r) => !r.startFirst)];
  await Promise.all(
    Array.from({ length: Math.min(jobs, queue.length) }, async () => {
      for (let row = queue.shift(); row !== undefined; row = queue.shift()) {
        await runRow(row.id, row.name, row.timeoutMs, (t) => row.run(t), row.knownFailure);
      }
    }),
  );
  // 3. Footprint and cold start, alone (no row running beside it).
  if (measuring) {
    let figures = [];
    await runRow("measure", "install footprint and cold start", 300_000, async (t) => {
      figures = await measure(t);
    });
    if (figures.length > 0) console.log(`\n${figures.join("\n")}`);
  }
} else {
  for (const row of selected) report(row.id, row.name, false, 0, [], new Error("no tarball: the pack row failed"));
}

await Promise.all(sharedProjects.map((p) => p.stopAll()));

// Summary, in the matrix's order.
const order = ["pack", ...ROWS.map((r) => r.id), "measure"];
results.sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
console.log(`\nsummary (total ${seconds(performance.now() - started)}):`);
for (const r of results) {
  const known = r.knownFailure === undefined ? "" : r.ok ? "  [marked known failure, passes: remove the mark]" : `  [known failure, not counted: ${r.knownFailure}]`;
  console.log(`  ${r.ok ? "PASS" : "FAIL"}  ${r.id.padEnd(12)} ${seconds(r.ms).padStart(8)}  ${r.name}${known}`);
}
cleanup();
const known = results.filter((r) => !r.ok && r.knownFailure !== undefined);
const failed = results.filter((r) => (r.ok ? r.knownFailure !== undefined : r.knownFailure === undefined)).length;
if (known.length > 0) console.log(`known failures, not counted: ${known.map((r) => r.id).join(", ")}`);
console.log(`${results.length - known.length - failed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
