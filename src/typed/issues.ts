// Zod issues as typed-sessions reports them: dotted paths, Zod's messages, and the short summaries error
// messages quote. Shared by validation at load (validate.ts, migrate.ts), repair and the save-time check.
import type { z } from "zod";
import type { ValidationIssue } from "../errors.ts";

/** Turns Zod issues into {@link ValidationIssue}s with dotted paths (`cart.0.qty`), prefixed by `prefix`. */
export function toIssues(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[] = []): ValidationIssue[] {
  return issues.map((issue) => ({
    path: [...prefix, ...issue.path].map(String).join("."),
    message: issue.message,
    code: issue.code,
  }));
}

/** The first issue, as ` path: message`, and how many more there are: what error messages end with. */
export function describeIssues(issues: readonly ValidationIssue[]): string {
  const first = issues[0];
  const where = first === undefined ? "" : ` ${first.path === "" ? "(root)" : first.path}: ${first.message}`;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
  return `${where}${more}`;
}

/** How many distinct paths the issues name, and the first few of them (`2 fields (visits, cart.1.qty)`). */
export function summarizePaths(issues: readonly ValidationIssue[], shown = 3): string {
  const paths = [...new Set(issues.map((issue) => (issue.path === "" ? "(root)" : issue.path)))];
  const listed = paths.slice(0, shown).join(", ") + (paths.length > shown ? ", …" : "");
  return `${paths.length} ${paths.length === 1 ? "field" : "fields"} (${listed})`;
}

/**
 * The end of a message about repaired data: how many fields, which, what became of them and the first
 * problem, e.g. `2 fields (visits, cart.1.qty) fell back to their defaults or were dropped, the rest was
 * kept (visits: Too small: …, and 1 more).`
 */
export function repairedSummary(issues: readonly ValidationIssue[]): string {
  const first = issues[0];
  if (first === undefined) return "nothing had to be changed.";
  const more = issues.length > 1 ? `, and ${issues.length - 1} more` : "";
  return `${summarizePaths(issues)} fell back to their defaults or were dropped, the rest was kept (${first.path === "" ? "(root)" : first.path}: ${first.message}${more}).`;
}

/** What a policy other than `"repair"` does with invalid data, as the end of an error message. */
export function refusedTail(policy: "reset" | "throw"): string {
  return policy === "throw"
    ? ' onInvalid "throw" refuses it; "repair" keeps the fields that fit, "reset" starts a fresh session.'
    : ' A fresh session is started (onInvalid "reset"); "repair" would keep the fields that fit.';
}
