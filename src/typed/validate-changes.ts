// The save-time check of a typed session: the values a handler changed, each against its field's schema,
// so that what a save writes is what the next load accepts.
import type { z } from "zod";
import { SessionValidationError, type ValidationIssue } from "../errors.ts";
import type { SessionDefinition } from "./define-session.ts";
import { summarizePaths, toIssues } from "./issues.ts";
import { storedSchemaOf } from "./stored-schema.ts";

/**
 * Makes the `validateChanges` hook of a session definition: for each changed key still present in `values`,
 * checks the value against its field's schema as stored values are checked on load (the data fields, the
 * flash list `_flash` against the flash schema, the CSRF token `_csrf` as a string); a key that is no field
 * of the schema is an issue too. Deleted keys are fine (the field reads its default, or `undefined`, again).
 * Throws one {@link SessionValidationError} listing every issue across keys, with dotted paths (`cart.1.qty`);
 * returns nothing when all fit. Costs one `safeParse` per changed key, with schemas built once per definition.
 */
export function createChangeValidator(
  definition: SessionDefinition,
): (values: ReadonlyMap<string, unknown>, changed: ReadonlySet<string>) => void {
  const fields = new Map(Object.entries(storedSchemaOf(definition).shape as Record<string, z.ZodType>));
  const { name } = definition;
  return (values, changed) => {
    let issues: ValidationIssue[] | undefined;
    let cause: z.ZodError | undefined;
    for (const key of changed) {
      if (!values.has(key)) continue;
      const field = fields.get(key);
      if (field === undefined) {
        (issues ??= []).push({ path: key, message: "not a field of the schema", code: "unrecognized_keys" });
        continue;
      }
      const result = field.safeParse(values.get(key));
      if (!result.success) {
        (issues ??= []).push(...toIssues(result.error.issues, [key]));
        cause ??= result.error;
      }
    }
    if (issues === undefined) return;
    const first = issues[0] as ValidationIssue;
    const more = issues.length > 1 ? `, and ${issues.length - 1} more` : "";
    throw new SessionValidationError(
      `session "${name}" was not saved: ${summarizePaths(issues)} would not fit its schema (${first.path}: ${first.message}${more}); nothing was written. Set fields through the typed session's properties, which check each value; after changing an array or object read from the session in place, keep it within the field's schema; and store no keys outside the schema (they would be dropped on the next load).`,
      issues,
      cause === undefined ? undefined : { cause },
    );
  };
}
