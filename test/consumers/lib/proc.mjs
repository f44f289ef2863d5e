// Child processes for the consumer harness: every command runs in its own process group with a timeout,
// its output goes to the row's log, and whatever is still running when a row ends (or the harness is
// interrupted) is killed by its group id.
import { spawn } from "node:child_process";
import { appendFileSync } from "node:fs";

/** Every live child process group, so that an interrupted run kills them all (by their own ids). */
const live = new Set();

/** Kills the process group of `child` (SIGTERM, then SIGKILL after `graceMs`). */
export function killGroup(child, graceMs = 2000) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    child.once("exit", done);
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      done();
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {}
      // A group whose leader ignores signals still ends here; do not wait for ever.
      setTimeout(resolve, 500).unref();
    }, graceMs);
    timer.unref();
  });
}

/** Kills every child process group still running (used on SIGINT/SIGTERM and at exit). */
export function killAll() {
  for (const child of live) {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {}
  }
  live.clear();
}

/** An error from a step: its message and the tail of the step's output. */
export class StepError extends Error {
  constructor(message, output = "") {
    super(message);
    this.output = output;
  }
}

/** The last `lines` lines of `text`. */
export function tail(text, lines = 30) {
  const all = String(text).trimEnd().split("\n");
  return (all.length > lines ? [`… (${all.length - lines} earlier lines in the row's log)`, ...all.slice(-lines)] : all).join("\n");
}

function quote(arg) {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${String(arg).replaceAll("'", "'\\''")}'`;
}

/**
 * Runs `cmd args` in `cwd` and resolves with { code, stdout, stderr, output, ms } (output interleaves both).
 * Rejects with a StepError on a timeout, or when the exit code is not `expectCode` (0 unless given; null
 * accepts any).
 */
export function run(cmd, args, { cwd, env, timeoutMs = 120_000, log, expectCode = 0, input, track } = {}) {
  const line = `$ ${[cmd, ...args].map(quote).join(" ")}`;
  if (log) appendFileSync(log, `\n${line}    # in ${cwd}\n`);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, detached: true, stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"] });
    live.add(child);
    track?.add(child);
    let stdout = "";
    let stderr = "";
    let output = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      output += chunk;
      if (log) appendFileSync(log, chunk);
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
      output += chunk;
      if (log) appendFileSync(log, chunk);
    });
    if (input !== undefined) child.stdin.end(input);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      void killGroup(child);
    }, timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      live.delete(child);
      track?.delete(child);
      reject(new StepError(`${line}: ${err.message}`, output));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      live.delete(child);
      track?.delete(child);
      const ms = performance.now() - started;
      if (log) appendFileSync(log, `# exit ${code ?? signal} after ${(ms / 1000).toFixed(1)} s\n`);
      if (timedOut) return reject(new StepError(`${line}: timed out after ${timeoutMs / 1000} s`, output));
      if (expectCode !== null && code !== expectCode) {
        return reject(new StepError(`${line}: exit ${code ?? signal} (expected ${expectCode})`, output));
      }
      resolve({ code, stdout, stderr, output, ms });
    });
  });
}

/**
 * Starts a server process and waits until its output matches `ready` (default: a "LISTENING <port>" line),
 * or, given `probe` (a URL, for servers that print nothing when they listen, like workerd), until a GET of
 * it gets any answer; resolves with { port, child, output(), stop() }. Rejects with a StepError when it
 * exits first or times out.
 */
export function startServer(cmd, args, { cwd, env, log, timeoutMs = 30_000, ready = /LISTENING (\d+)/, port, probe, track } = {}) {
  const line = `$ ${[cmd, ...args].map(quote).join(" ")} &`;
  if (log) appendFileSync(log, `\n${line}    # in ${cwd}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    live.add(child);
    track?.add(child);
    let output = "";
    let settled = false;
    const stop = async () => {
      await killGroup(child);
      live.delete(child);
      track?.delete(child);
    };
    const onData = (chunk) => {
      output += chunk;
      if (log) appendFileSync(log, chunk);
      const match = probe === undefined ? ready.exec(output) : null;
      if (match && !settled) {
        settled = true;
        clearTimeout(timer);
        resolve({ port: port ?? Number(match[1]), child, output: () => output, stop });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    const poll = async () => {
      while (!settled) {
        try {
          await fetch(probe, { signal: AbortSignal.timeout(2000) });
          if (!settled) {
            settled = true;
            clearTimeout(timer);
            resolve({ port, child, output: () => output, stop });
          }
          return;
        } catch {
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    };
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      void stop();
      reject(new StepError(`${line}: not ready after ${timeoutMs / 1000} s`, output));
    }, timeoutMs);
    if (probe !== undefined) void poll();
    child.on("error", (err) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      live.delete(child);
      reject(new StepError(`${line}: ${err.message}`, output));
    });
    child.on("exit", (code, signal) => {
      live.delete(child);
      track?.delete(child);
      if (log) appendFileSync(log, `# server exited ${code ?? signal}\n`);
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new StepError(`${line}: exited ${code ?? signal} before it was ready`, output));
    });
  });
}
