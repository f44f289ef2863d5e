import { compareFingerprints, type Incompatibility, parseFingerprints, type RecordedSession, type SchemaFingerprint } from "./fingerprint.ts";
import type { SessionModel } from "./model.ts";

/** What comparing a schema module's sessions with the fingerprints its generated module records found. */
export interface CompatibilityReport {
  /** Changes stored data may not survive: gen refuses to write (and `--check` fails) unless allowed. */
  readonly incompatible: readonly string[];
  /** Worth knowing, never a failure (e.g. a bumped version whose migrate chain skips the previous one). */
  readonly notes: readonly string[];
}

function problemLines(problems: readonly Incompatibility[]): string {
  return problems.map((p) => `  - ${p.path}: ${p.reason}: ${p.before} → ${p.after}`).join("\n");
}

/** The recorded session `session` continues: the same export name, else the only one with its cookie name. */
function recordedFor(session: SessionModel, recorded: readonly RecordedSession[]): RecordedSession | undefined {
  const byExport = recorded.find((r) => r.exportName === session.exportName);
  if (byExport !== undefined) return byExport;
  const byName = recorded.filter((r) => r.sessionName === session.sessionName);
  return byName.length === 1 ? byName[0] : undefined;
}

/**
 * Compares each session of a schema module with the fingerprint of its current version that the module's
 * previous generated file (`previousText`, `undefined` when there is none) recorded:
 * - same version: every field must still accept what the recorded schema accepted (no narrowed type or
 *   constraint, no field newly required without a default), else the change is incompatible;
 * - a lower version: incompatible (versions only go up);
 * - a higher version: fine; a note when the migrate chain does not start at (or does not accept) the
 *   recorded version's schema, since such data is repaired on load instead of migrated.
 */
export function checkCompatibility(
  sourcePath: string,
  generatedPath: string,
  previousText: string | undefined,
  sessions: readonly SessionModel[],
): CompatibilityReport {
  if (previousText === undefined) return { incompatible: [], notes: [] };
  const read = parseFingerprints(previousText);
  if ("malformed" in read) {
    return {
      incompatible: [
        `${sourcePath}: cannot read the schema fingerprint in ${generatedPath}: ${read.malformed}. Restore the file as gen wrote it (e.g. git checkout ${generatedPath}) and run gen again, or pass --allow-incompatible to overwrite it.`,
      ],
      notes: [],
    };
  }
  const incompatible: string[] = [];
  const notes: string[] = [];
  for (const session of sessions) {
    const recorded = recordedFor(session, read.sessions);
    if (recorded === undefined) continue;
    const who = `session "${session.exportName}" ("${session.sessionName}")`;
    if (session.version < recorded.version) {
      incompatible.push(
        `${sourcePath}: ${who} went from version ${recorded.version} down to ${session.version} (${generatedPath} records version ${recorded.version}). ` +
          `Versions only go up: data stored as version ${recorded.version} would be taken for a newer server's and never migrated. Set version back to ${recorded.version}, or to ${recorded.version + 1} with a migrate step.`,
      );
      continue;
    }
    if (session.version === recorded.version) {
      const problems = compareFingerprints(recorded.fields, session.fingerprint);
      if (problems.length === 0) continue;
      const next = session.version + 1;
      const how =
        session.history.length === 0
          ? `version: ${next}, migrate: (from) => from(<the version-${session.version} schema>).to(newSchema, (old) => ...)`
          : `version: ${next}, with .to(newSchema, (old) => ...) at the end of migrate (after the version-${session.version} schema)`;
      incompatible.push(
        `${sourcePath}: ${who} changed in a way data stored as version ${session.version} may not fit, without a version bump:\n${problemLines(problems)}\n` +
          `Bump version to ${next} and add .to(newSchema, (old) => ...) to migrate, e.g. ${how}. ` +
          "Or pass --allow-incompatible to write it anyway (stored data that does not fit then goes through onInvalid).",
      );
      continue;
    }
    const note = chainNote(session, recorded.version, recorded.fields);
    if (note !== undefined) notes.push(`${sourcePath}: ${who}: ${note}`);
  }
  return { incompatible, notes };
}

/** Tells what happens to data of `version` (recorded as `fields`) after a bump, when it is not simply migrated. */
function chainNote(session: SessionModel, version: number, fields: SchemaFingerprint): string | undefined {
  const bump = `version ${version} → ${session.version}`;
  const entry = session.history.find((older) => older.version === version);
  if (entry === undefined) {
    const start = session.history[0]?.version ?? session.version;
    const chain = session.history.length === 0 ? "there is no migrate chain" : `the migrate chain starts at version ${start}`;
    return (
      `${bump}, and ${chain}: data stored as version ${version} is not migrated but repaired on load (what does not fit the version-${session.version} schema goes through onInvalid). ` +
      `To migrate it, start the chain at the version-${version} schema: migrate: (from) => from(<the version-${version} schema>).to(...).`
    );
  }
  const problems = compareFingerprints(fields, entry.fingerprint);
  if (problems.length === 0) return undefined;
  return (
    `${bump}, but the migrate chain's version-${version} schema does not accept everything the version-${version} schema gen recorded did:\n${problemLines(problems)}\n` +
    `Stored version-${version} data that does not fit it is repaired on load, not migrated; use the schema version ${version} really had as the chain's version-${version} step.`
  );
}
