import { z } from "zod";
import { SessionValidationError, type ValidationIssue } from "../errors.ts";
import { DEFAULT_FLASH_KEY as FLASH_KEY } from "../session/session.ts";
import { CSRF_KEY } from "../session/csrf.ts";
import type { DataSchema, SessionDefinition, ZodSchemaLike } from "./define-session.ts";


/** Turns Zod issues into {@link ValidationIssue}s with dotted paths (`cart.0.qty`), prefixed by `prefix`. */
export function toIssues(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[] = []): ValidationIssue[] {
  return issues.map((issue) => ({
    path: [...prefix, ...issue.path].map(String).join("."),
    message: issue.message,
    code: issue.code,
  }));
}

function describe(issues: readonly ValidationIssue[]): string {
  const first = issues[0];
  const where = first === undefined ? "" : ` ${first.path === "" ? "(root)" : first.path}: ${first.message}`;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
  return `${where}${more}`;
}

/**
 * Builds the schema stored values are checked against: the data fields (fields that are required and have no
 * default become optional, so a session saved before they were set stays valid) the flash list and the
 * CSRF token (`_csrf`, see csrfToken), which would otherwise be stripped as an unknown key.
 */
export function storedValuesSchema(data: DataSchema, flash: ZodSchemaLike | undefined): z.ZodObject {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, field] of Object.entries(data.shape)) {
    shape[key] = (field as z.ZodType)._zod.optin === undefined ? (field as z.ZodType).optional() : (field as z.ZodType);
  }
  shape[FLASH_KEY] = z.array((flash as z.ZodType | undefined) ?? z.unknown()).optional();
  shape[CSRF_KEY] = z.string().optional();
  return z.object(shape);
}

/**
 * Makes the `validate` hook of a session definition: parses decoded values against the schema, applies
 * defaults, drops unknown keys, and throws a {@link SessionValidationError} (with dotted paths) when the data
 * does not fit.
 */
export function createValidator(
  definition: SessionDefinition,
): (values: Record<string, unknown>) => Record<string, unknown> {
  const schema = storedValuesSchema(definition.data, definition.flash);
  return (values) => {
    const result = schema.safeParse(values);
    if (result.success) {
      if (result.data[FLASH_KEY] === undefined) delete result.data[FLASH_KEY];
      if (result.data[CSRF_KEY] === undefined) delete result.data[CSRF_KEY];
      return result.data;
    }
    const issues = toIssues(result.error.issues);
    throw new SessionValidationError(
      `the stored data of session "${definition.name}" does not fit its schema:${describe(issues)}. It was written before a schema change or edited by hand; onInvalid "reset" starts a fresh session instead.`,
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
    `session "${sessionName}" refused a value for ${key}:${describe(issues)}. Pass a value that fits the field's schema.`,
    issues,
    { cause: result.error },
  );
}
