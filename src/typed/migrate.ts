// Loading data stored at another version than the definition's: older data within the migrate chain is
// brought up step by step, older data before it and newer data (a rolling deploy) are checked against the
// current schema. Only runs when the stored version differs, so it builds its schemas on first use.
import type { z } from "zod";
import { SessionValidationError, type ValidationIssue } from "../errors.ts";
import { DEFAULT_FLASH_KEY as FLASH_KEY } from "../session/session.ts";
import { CSRF_KEY } from "../session/csrf.ts";
import type { ValidateInfo } from "../session/session-config.ts";
import type { SessionDefinition } from "./define-session.ts";
import { describeIssues, refusedTail, repairedSummary, toIssues } from "./issues.ts";
import { repairValues } from "./repair.ts";
import { dataValuesSchema, finishValues, storedSchemaOf } from "./stored-schema.ts";

/** The part of a migration a check belongs to, for messages. */
interface Stage {
  /** Says what did not fit, for an error thrown with onInvalid "reset" or "throw" (issues follow). */
  readonly refusal: string;
  /** What to do about it, a sentence after the issues. */
  readonly hint: string;
  /** Says what did not fit, in the message of a repair. */
  readonly note: string;
}

function isRecordLike(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function isMetaIssue(issue: ValidationIssue): boolean {
  const head = issue.path.split(".", 1)[0];
  return head === FLASH_KEY || head === CSRF_KEY;
}

/**
 * Makes the part of a definition's `validate` hook that reads data stored at a version other than
 * `definition.version` (`info.version`, `undefined` read as 1), following `onInvalid` throughout:
 *
 * - **Older, within `definition.versions`**: parsed with that version's schema (repaired, or refused, when
 *   it does not fit), then its data fields go through each step's `up` in turn, each result parsed with the
 *   next version's schema; the flash list and CSRF token are carried over and checked against the current
 *   schema. A step that returns data that does not fit is a bug in the step: with `"repair"` the result is
 *   repaired (the message names the step, `v2 → v3`), otherwise a {@link SessionValidationError} is thrown.
 *   A step that throws: with `"repair"` the stored data is repaired against the current schema instead
 *   (reported, the thrown error as `cause`); otherwise a SessionValidationError is thrown. Repairs are
 *   reported once, through `info.repaired`; a clean migration is not reported (the lifecycle re-saves it).
 * - **Older than the first version of the chain** (or with no chain): no migration exists, the data is
 *   checked against the current schema as if it were current data: kept when it fits, repaired (reported,
 *   saying that no migration exists from that version) or refused.
 * - **Newer** (a newer server wrote it during a rolling deploy): checked against the current schema; what
 *   does not fit is repaired in memory and *not* reported, whatever the policy except `"throw"`: the
 *   lifecycle never rewrites newer data the handler leaves alone, so nothing is lost, and resetting would
 *   log the user out of the newer servers too. With `"throw"` such data is refused like any other.
 */
export function createMigrator(
  definition: SessionDefinition,
): (values: Record<string, unknown>, info: ValidateInfo) => Record<string, unknown> {
  const { name, onInvalid: policy, version: current, versions } = definition;
  const schema = storedSchemaOf(definition);
  const oldest = versions[0]?.version ?? current;
  const dataSchemas: (z.ZodObject | undefined)[] = [];
  const dataSchemaAt = (index: number): z.ZodObject =>
    (dataSchemas[index] ??= dataValuesSchema((versions[index] ?? { schema: definition.data }).schema));

  function newer(values: Record<string, unknown>, stored: number): Record<string, unknown> {
    const result = schema.safeParse(values);
    if (result.success) return finishValues(result.data);
    if (policy === "throw") {
      const issues = toIssues(result.error.issues);
      throw new SessionValidationError(
        `the stored data of session "${name}" was written by a newer version of it (v${stored}; this server knows up to v${current}) and does not fit the v${current} schema:${describeIssues(issues)}. onInvalid "throw" refuses it; with "repair" or "reset" this server serves it with the fields that fit, in memory, without rewriting it.`,
        issues,
        { cause: result.error },
      );
    }
    return repairValues(name, schema, values).data;
  }

  function unmigrated(values: Record<string, unknown>, stored: number, info: ValidateInfo): Record<string, unknown> {
    const result = schema.safeParse(values);
    if (result.success) return finishValues(result.data);
    const head = `the stored data of session "${name}" is at version ${stored}, older than its migrations reach (v${oldest}): no migration exists from v${stored}, so it was checked against the current schema (v${current})`;
    if (policy === "repair") {
      const repaired = repairValues(name, schema, values);
      info.repaired(new SessionValidationError(`${head}: ${repairedSummary(repaired.issues)}`, repaired.issues, { cause: result.error }));
      return repaired.data;
    }
    const issues = toIssues(result.error.issues);
    throw new SessionValidationError(
      `${head} and does not fit it:${describeIssues(issues)}. To migrate such data, start migrate at its schema: from(v${stored}).${refusedTail(policy)}`,
      issues,
      { cause: result.error },
    );
  }

  function stepThrew(values: Record<string, unknown>, stored: number, from: number, to: number, err: unknown, info: ValidateInfo): Record<string, unknown> {
    const head = `the migration step v${from} → v${to} of session "${name}" threw (${messageOf(err)})`;
    if (policy !== "repair") {
      throw new SessionValidationError(`${head}: its stored v${stored} data was not migrated. Fix the step.${refusedTail(policy)}`, [], { cause: err });
    }
    const result = schema.safeParse(values);
    const repaired = result.success ? { data: finishValues(result.data), issues: [] } : repairValues(name, schema, values);
    info.repaired(
      new SessionValidationError(
        `${head}, so its stored v${stored} data was checked against the current schema (v${current}) instead: ${repairedSummary(repaired.issues)} Fix the step.`,
        repaired.issues,
        { cause: err },
      ),
    );
    return repaired.data;
  }

  return (values, info) => {
    const stored = info.version ?? 1;
    if (stored > current) return newer(values, stored);
    if (stored < oldest) return unmigrated(values, stored, info);

    const notes: string[] = [];
    const issues: ValidationIssue[] = [];
    let cause: unknown;
    const refuse = (stage: Stage, found: readonly ValidationIssue[], why: unknown): never => {
      throw new SessionValidationError(
        `${stage.refusal}:${describeIssues(found)}.${stage.hint}${refusedTail(policy === "throw" ? "throw" : "reset")}`,
        found,
        why === undefined ? undefined : { cause: why },
      );
    };
    const noted = (stage: Stage, found: readonly ValidationIssue[], why: unknown): void => {
      if (!notes.includes(stage.note)) notes.push(stage.note);
      issues.push(...found);
      cause ??= why;
    };
    /** Parses `input` with `target`, repairing or refusing it per the policy. */
    const check = (target: z.ZodObject, input: unknown, stage: Stage): Record<string, unknown> => {
      const result = target.safeParse(input);
      if (result.success) return finishValues(result.data);
      if (policy !== "repair") return refuse(stage, toIssues(result.error.issues), result.error);
      const repaired = repairValues(name, target, input);
      noted(stage, repaired.issues, result.error);
      return repaired.data;
    };
    /** A step's result as an object; anything else counts as an empty object that did not fit. */
    const objectOf = (next: unknown, stage: Stage): Record<string, unknown> => {
      if (isRecordLike(next)) return next;
      const found = [{ path: "", message: `Invalid input: expected object, received ${kindOf(next)}`, code: "invalid_type" }];
      if (policy !== "repair") return refuse(stage, found, undefined);
      noted(stage, found, undefined);
      return {};
    };

    let index = stored - oldest;
    // (Current data, which createValidator checks itself, would be parsed with its flash list and token.)
    let data = check(index === versions.length - 1 ? schema : dataSchemaAt(index), values, {
      refusal: `the stored data of session "${name}" (v${stored}) does not fit the v${stored} schema of its migrations`,
      hint: " It was edited by hand or written before that schema changed.",
      note: `the stored v${stored} data did not fit the v${stored} schema`,
    });
    for (index += 1; index < versions.length; index++) {
      const step = versions[index] as (typeof versions)[number];
      const from = step.version - 1;
      const stage: Stage = {
        refusal: `the migration step v${from} → v${step.version} of session "${name}" returned data that does not fit the v${step.version} schema`,
        hint: ` This is a bug in the step: make it return data that fits the v${step.version} schema.`,
        note: `the migration step v${from} → v${step.version} returned data that does not fit the v${step.version} schema (a bug in that step: fix what it returns)`,
      };
      let next: unknown;
      try {
        const up = step.up as ((data: unknown) => unknown) | undefined;
        if (up === undefined) throw new Error(`no step leads to v${step.version}`);
        next = up(data);
      } catch (err) {
        return stepThrew(values, stored, from, step.version, err, info);
      }
      if (index < versions.length - 1) {
        data = check(dataSchemaAt(index), objectOf(next, stage), stage);
        continue;
      }
      // The last step: its data with the flash list and CSRF token carried over, checked against the
      // current schema at once; issues under `_flash` / `_csrf` are the stored ones', not the step's.
      const body: Record<string, unknown> = { ...objectOf(next, stage) };
      delete body[FLASH_KEY];
      delete body[CSRF_KEY];
      if (values[FLASH_KEY] !== undefined) body[FLASH_KEY] = values[FLASH_KEY];
      if (values[CSRF_KEY] !== undefined) body[CSRF_KEY] = values[CSRF_KEY];
      const carried: Stage = {
        refusal: `the flash messages or CSRF token stored with session "${name}"'s v${stored} data do not fit the current schema`,
        hint: " They were edited by hand or written before the flash schema changed.",
        note: "the stored flash messages or CSRF token did not fit the current schema",
      };
      const result = schema.safeParse(body);
      if (result.success) {
        data = finishValues(result.data);
        break;
      }
      if (policy !== "repair") {
        const found = toIssues(result.error.issues);
        refuse(found.every(isMetaIssue) ? carried : stage, found, result.error);
      }
      const repaired = repairValues(name, schema, body);
      const own = repaired.issues.filter((issue) => !isMetaIssue(issue));
      if (own.length > 0) noted(stage, own, result.error);
      if (own.length < repaired.issues.length) noted(carried, repaired.issues.filter(isMetaIssue), result.error);
      data = repaired.data;
    }
    if (notes.length > 0) {
      info.repaired(
        new SessionValidationError(
          `the stored data of session "${name}" was migrated from v${stored} to v${current}, but ${notes.join("; ")}: ${repairedSummary(issues)}`,
          issues,
          cause === undefined ? undefined : { cause },
        ),
      );
    }
    return data;
  };
}
