import { formatGenHelp, genHelp, runGen } from "./gen.ts";
import { formatKeygenHelp, keygenHelp, runKeygen } from "./keygen.ts";

/** Where the CLI writes: normal output to `out`, diagnostics to `err`. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

/** One `typed-sessions` subcommand: its help entry and how to run it. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  /** Returns the full help text of the command. */
  help(): string;
  /** Runs the command with the arguments after its name; returns the exit code. */
  run(args: readonly string[], io: CliIo): number | Promise<number>;
}

/** Every subcommand, in the order `--help` lists them. Add a command by adding a row. */
export const COMMANDS: readonly Command[] = [
  { ...genHelp, help: formatGenHelp, run: (args, io) => runGen(args, io) },
  { ...keygenHelp, help: formatKeygenHelp, run: (args, io) => runKeygen(args, io) },
];

/** Formats the top-level help: usage and one line per subcommand. */
export function formatHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join("\n");
  return `Usage: typed-sessions <command> [flags]\n\nCommands:\n${lines}\n\nRun \`typed-sessions <command> --help\` for a command's flags.\n`;
}

/**
 * Runs the `typed-sessions` CLI with `argv` (without node and the script): dispatches to a subcommand.
 * @returns the exit code: the command's, or 2 for an unknown command.
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "-h" || name === "--help" || name === "help") {
    (name === undefined ? io.err : io.out)(formatHelp());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) {
    io.err(`typed-sessions: unknown command ${JSON.stringify(name)}.\n\n${formatHelp()}`);
    return 2;
  }
  return command.run(rest, io);
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (invokedDirectly) {
  const io: CliIo = { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) };
  process.exitCode = await main(process.argv.slice(2), io);
}
