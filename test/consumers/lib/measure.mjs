// Install footprint and cold start of a runtime-only consumer, next to iron-session and express-session.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";

const RUNS = Number(process.env.CONSUMERS_COLDSTART_RUNS ?? 10);

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Spawns `node script` in `cwd`; resolves { wallMs, inProcessMs, rss } when it prints "READY <rss> <ms>". */
function coldStart(cwd, script, env) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [script], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let result;
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const m = /READY (\d+) ([\d.]+)/.exec(out);
      if (m && result === undefined) result = { wallMs: performance.now() - started, inProcessMs: Number(m[2]), rss: Number(m[1]) };
    });
    child.stderr.on("data", (chunk) => (out += chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      if (result !== undefined && code === 0) resolve(result);
      else reject(new Error(`node ${script} (in ${cwd}): exit ${code}, output: ${out.slice(0, 600)}`));
    });
  });
}

/**
 * Installs each subject alone into a fresh project (`npm i <subject>`), counts its packages
 * (`npm ls --all --parseable`, less the project itself) and sizes node_modules (`du -sk`), then times
 * RUNS cold starts of its server fixture (interleaved, after one warm-up each). Returns the rows.
 */
export async function measure(t) {
  const subjects = [
    { label: "typed-sessions (runtime only)", spec: t.tarball, pkg: "typed-sessions", script: "typed-sessions.mjs" },
    { label: "typed-sessions + zod@4", spec: [t.tarball, "zod@4"], pkg: "typed-sessions", script: null },
    { label: "iron-session", spec: "iron-session", pkg: "iron-session", script: "iron-session.mjs" },
    { label: "express-session", spec: "express-session", pkg: "express-session", script: "express-session.mjs" },
    { label: "baseline (node:http only)", spec: null, pkg: null, script: "baseline.mjs" },
  ];
  for (const s of subjects) {
    const p = t.project(`measure-${s.label.replace(/[^a-z0-9]+/gi, "-").replace(/-+$/, "").toLowerCase()}`);
    s.project = p;
    if (s.spec !== null) {
      await p.install([s.spec].flat());
      const ls = await p.exec("npm", ["ls", "--all", "--parseable"], { expectCode: null });
      s.packages = ls.stdout.trim().split("\n").filter(Boolean).length - 1;
      const du = await p.exec("du", ["-sk", "node_modules"]);
      s.kb = Number(du.stdout.split(/\s/)[0]);
      const apparent = await p.exec("du", ["-sk", "--apparent-size", "node_modules"]);
      s.apparentKb = Number(apparent.stdout.split(/\s/)[0]);
      s.version = JSON.parse(readFileSync(path.join(p.dir, "node_modules", s.pkg, "package.json"), "utf8")).version;
    }
    if (s.script !== null) p.copy({ "start.mjs": `coldstart/${s.script}` });
  }
  const timed = subjects.filter((s) => s.script !== null);
  for (const s of timed) {
    s.runs = [];
    await coldStart(s.project.dir, "start.mjs", t.env); // warm-up: file cache
  }
  for (let i = 0; i < RUNS; i++) for (const s of timed) s.runs.push(await coldStart(s.project.dir, "start.mjs", t.env));
  const lines = [];
  lines.push(`install footprint (fresh project, npm i <subject>; packages = npm ls --all --parseable less the project; size = du -sk node_modules, and du -sk --apparent-size):`);
  for (const s of subjects.filter((x) => x.spec !== null)) {
    lines.push(`  ${`${s.label}${s.version ? ` ${s.version}` : ""}`.padEnd(40)} ${String(s.packages).padStart(3)} packages  ${String(s.kb).padStart(6)} KB on disk  ${String(s.apparentKb).padStart(6)} KB apparent`);
  }
  lines.push(`cold start (node start.mjs: import, create the store/middleware, listen on 127.0.0.1:0, print RSS; ${RUNS} runs each, interleaved, after a warm-up):`);
  for (const s of timed) {
    const wall = s.runs.map((r) => r.wallMs);
    const inside = s.runs.map((r) => r.inProcessMs);
    const rss = s.runs.map((r) => r.rss / 2 ** 20);
    lines.push(
      `  ${s.label.padEnd(32)} spawn→listening min ${Math.min(...wall).toFixed(1)} ms, median ${median(wall).toFixed(1)} ms; in-process (performance.now()) median ${median(inside).toFixed(1)} ms; RSS median ${median(rss).toFixed(1)} MB`,
    );
  }
  return lines;
}
