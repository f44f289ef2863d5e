/** What `typed-sessions --help` and `<command> --help` show for one command. */
export interface CommandHelp {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly flags: readonly { readonly flag: string; readonly description: string }[];
}

/** Formats a command's help as `typed-sessions <command> --help` prints it. */
export function formatCommandHelp(help: CommandHelp): string {
  const width = Math.max(...help.flags.map((f) => f.flag.length));
  const flags = help.flags.map((f) => `  ${f.flag.padEnd(width)}  ${f.description}`).join("\n");
  return `Usage: ${help.usage}\n\n${help.summary}\n\nFlags:\n${flags}\n`;
}
