// Types of proc.mjs, for the TypeScript tests that drive commands and servers with it (test/e2e/next.e2e.ts).
import type { ChildProcess } from "node:child_process";

/** What {@link run} resolves with. */
export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved. */
  output: string;
  ms: number;
}

/** Options of {@link run}. */
export interface RunOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** @default 120000 */
  timeoutMs?: number;
  /** A file every command line and its output are appended to. */
  log?: string;
  /** The exit code expected (null: any). @default 0 */
  expectCode?: number | null;
  input?: string;
  track?: Set<ChildProcess>;
}

/** A server started by {@link startServer}. */
export interface StartedServer {
  port: number;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** Options of {@link startServer}. */
export interface ServerOptions extends Omit<RunOptions, "expectCode" | "input"> {
  /** What the output shows once the server listens. @default /LISTENING (\d+)/ */
  ready?: RegExp;
  /** The port, when `ready` does not capture it. */
  port?: number;
  /** A URL polled until a GET of it gets any answer, instead of `ready` (servers that print nothing, like workerd). */
  probe?: string;
}

/** Kills the process group of `child` (SIGTERM, then SIGKILL after `graceMs`). */
export function killGroup(child: ChildProcess, graceMs?: number): Promise<void>;
/** Kills every child process group still running. */
export function killAll(): void;
/** The last `lines` lines of `text`. */
export function tail(text: string, lines?: number): string;
/** An error from a step: its message and the tail of the step's output. */
export class StepError extends Error {
  constructor(message: string, output?: string);
  output: string;
}
/** Runs `cmd args`; rejects with a StepError on a timeout or an unexpected exit code. */
export function run(cmd: string, args: readonly string[], options: RunOptions): Promise<RunResult>;
/** Starts a server and waits until its output matches `ready` (or, given `probe`, until that URL answers). */
export function startServer(cmd: string, args: readonly string[], options: ServerOptions): Promise<StartedServer>;
