// Validation of a typed session's values when they are loaded, and of one value when it is set.
import type { z } from "zod";
import { SessionValidationError } from "../errors.ts";
import type { SessionDefinition } from "./define-session.ts";
import { describeIssues, toIssues } from "./issues.ts";
import { finishValues, storedSchemaOf } from "./stored-schema.ts";

export { toIssues } from "./issues.ts";
export { storedValuesSchema } from "./stored-schema.ts";

/**
 * Makes the `validate` hook of a session definition: parses decoded values against the schema, applies
 * defaults, drops unknown keys, and throws a {@link SessionValidationError} (with dotted paths) when the data
 * does not fit.
 */
export function createValidator(
  definition: SessionDefinition,
): (values: Record<string, unknown>) => Record<string, unknown> {
  const schema = storedSchemaOf(definition);
  return (values) => {
    const result = schema.safeParse(values);
    if (result.success) {
      return finishValues(result.data);
    }
    const issues = toIssues(result.error.issues);
    throw new SessionValidationError(
      `the stored data of session "${definition.name}" does not fit its schema:${describeIssues(issues)}. It was written before a schema change or edited by hand; onInvalid "reset" starts a fresh session instead.`,
      issues,
      { cause: result.error },
    );
  };
}

/**
 * Checks one value against a field's schema and returns the parsed value (defaults and transforms applied);
 * throws a {@link SessionValidationError} naming `sessionName` and the field otherwise.
 */
export function parseField(sessionName: string, key: string, schema: z.ZodType, value: unknown): unknown {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = toIssues(result.error.issues, [key]);
  throw new SessionValidationError(
    `session "${sessionName}" refused a value for ${key}:${describeIssues(issues)}. Pass a value that fits the field's schema.`,
    issues,
    { cause: result.error },
  );
}
