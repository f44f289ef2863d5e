// Validation of a typed session's values when they are loaded: one parse for data that fits, repair or a
// SessionValidationError (per onInvalid) for data that does not, migrations for data of another version.
import type { z } from "zod";
import { SessionValidationError } from "../errors.ts";
import type { ValidateInfo } from "../session/session-config.ts";
import type { SessionDefinition } from "./define-session.ts";
import { describeIssues, refusedTail, repairedSummary, toIssues } from "./issues.ts";
import { createMigrator } from "./migrate.ts";
import { repairValues } from "./repair.ts";
import { finishValues, storedSchemaOf } from "./stored-schema.ts";

export { toIssues } from "./issues.ts";
export { storedValuesSchema } from "./stored-schema.ts";

/**
 * Makes the `validate` hook of a session definition: parses decoded values against the schema (defaults
 * applied, unknown keys dropped) and, per `onInvalid`, repairs data that does not fit (`"repair"`: the fields
 * that fit are kept, the rest fall back to their defaults or are dropped, reported through `info.repaired`)
 * or throws a {@link SessionValidationError} with dotted paths (`"reset"`, `"throw"`: the lifecycle resets or
 * rethrows). Data stored at another version than the definition's goes through {@link createMigrator}.
 * Without `info` (benchmarks, direct checks) the values are taken as the current version's and a repair is
 * not reported. Current data that fits costs one `safeParse`, as before repairs and migrations existed.
 */
export function createValidator(
  definition: SessionDefinition,
): (values: Record<string, unknown>, info?: ValidateInfo) => Record<string, unknown> {
  const schema = storedSchemaOf(definition);
  const { name, onInvalid: policy, version: current } = definition;
  let migrate: ((values: Record<string, unknown>, info: ValidateInfo) => Record<string, unknown>) | undefined;
  return (values, info) => {
    if (info !== undefined && (info.version ?? 1) !== current) {
      migrate ??= createMigrator(definition);
      return migrate(values, info);
    }
    const result = schema.safeParse(values);
    if (result.success) return finishValues(result.data);
    if (policy === "repair") {
      const repaired = repairValues(name, schema, values);
      info?.repaired(
        new SessionValidationError(
          `the stored data of session "${name}" did not fit its schema: ${repairedSummary(repaired.issues)} The session is saved repaired.`,
          repaired.issues,
          { cause: result.error },
        ),
      );
      return repaired.data;
    }
    const issues = toIssues(result.error.issues);
    throw new SessionValidationError(
      `the stored data of session "${name}" does not fit its schema:${describeIssues(issues)}. It was written before a schema change or edited by hand.${refusedTail(policy)}`,
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
