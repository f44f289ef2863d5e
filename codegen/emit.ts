import path from "node:path";
import { type ImportExtension, withExtension } from "./import-extension.ts";
import { Project, type SourceFile, VariableDeclarationKind } from "ts-morph";
import { RESERVED_FIELD_NAMES } from "../src/typed/typed-session.ts";
import { ModelError, type FieldModel, type ModuleModel, type SessionModel } from "./model.ts";
import { formatFingerprints } from "./fingerprint.ts";
import { fieldsText, propertyName, typeText } from "./type-text.ts";

/** How generated modules reach the runtime and their schema module. */
export interface EmitOptions {
  /** The module generated code imports the runtime from. @default "typed-sessions/runtime" */
  readonly importFrom: string;
  /** The generated file's path relative to the project, forward slashes (e.g. `schemas/user.gen.ts`). */
  readonly outPath: string;
  /** How the import of the schema module is written (`./user.ts`, `./user.js`, `./user`). @default "ts" */
  readonly importExtension?: ImportExtension | undefined;
}

/** Turns `user_prefs` or `user` into `UserPrefs` / `User`. */
export function pascalCase(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part !== "")
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("");
}

function docs(text: string | undefined): string[] {
  return text === undefined ? [] : [text.replace(/\*\//g, "*\\/")];
}

function relativeImport(fromFile: string, toFile: string): string {
  const relative = path.posix.relative(path.posix.dirname(fromFile), toFile);
  return relative.startsWith(".") ? relative : `./${relative}`;
}

/** Writes a plan (plain data) as an object literal: identifier keys bare, two-space indentation. */
export function literalText(value: unknown, indent = ""): string {
  if (typeof value !== "object" || value === null) return JSON.stringify(value);
  if (Object.values(value).every((child) => typeof child !== "object" || child === null)) {
    return `{ ${Object.entries(value).map(([key, child]) => `${propertyName(key)}: ${JSON.stringify(child)}`).join(", ")} }`;
  }
  const inner = `${indent}  `;
  const entries = Object.entries(value).map(([key, child]) => `${inner}${propertyName(key)}: ${literalText(child, inner)},`);
  return entries.length === 0 ? "{}" : `{\n${entries.join("\n")}\n${indent}}`;
}

/** The type a field's getter returns: a required field without a default reads `undefined` until it is set. */
function getterType(field: FieldModel): string {
  const text = typeText(field.type);
  return field.optional || !field.hasDefault ? `${text} | undefined` : text;
}

/** Writes `1`, `1 or 2`, `1, 2 or 3`. */
function listText(items: readonly string[]): string {
  return items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} or ${items.at(-1)}`;
}

function addDataInterface(file: SourceFile, name: string, doc: string, fields: readonly FieldModel[]): void {
  file.addInterface({
    name,
    isExported: true,
    docs: [doc],
    properties: fields.map((field) => ({
      name: propertyName(field.name),
      type: field.optional ? `${typeText(field.type)} | undefined` : typeText(field.type),
      hasQuestionToken: field.optional,
      docs: docs(field.description),
    })),
  });
}

function addSession(file: SourceFile, session: SessionModel, definitionAlias: string): void {
  const base = pascalCase(session.exportName);
  const data = `${base}Data`;
  const flash = `${base}Flash`;
  const className = `${base}Session`;
  for (const field of session.fields) {
    if (RESERVED_FIELD_NAMES.includes(field.name)) {
      throw new ModelError(`${session.exportName}: field "${field.name}" clashes with a TypedSession member; rename it.`);
    }
  }
  file.addVariableStatement({
    isExported: true,
    declarationKind: VariableDeclarationKind.Const,
    docs: [
      `The version of the "${session.sessionName}" session's data shape, stored with its data. Bump it in the schema module, with a\n` +
        "`migrate` step, when a change would make stored data fail the schema.",
    ],
    // `as const`: a non-widening literal type, so `let v = userVersion` is typed `2`, not number.
    declarations: [{ name: `${session.exportName}Version`, initializer: `${session.version} as const` }],
  });
  for (const older of session.history) {
    addDataInterface(
      file,
      `${data}V${older.version}`,
      `The values of the "${session.sessionName}" session as version ${older.version} stored them; \`migrate\` brings them up to version ${session.version} on load.`,
      older.fields,
    );
  }
  addDataInterface(file, data, `The values of the "${session.sessionName}" session (version ${session.version}).`, session.fields);
  file.addTypeAlias({
    name: flash,
    isExported: true,
    docs: [`One flash message of the "${session.sessionName}" session.`],
    type: session.flash.kind === "object" ? fieldsText(session.flash.fields) : typeText(session.flash),
  });
  const cls = file.addClass({
    name: className,
    isExported: true,
    extends: `TypedSession<${data}, ${flash}>`,
    docs: [`A "${session.sessionName}" session (data version ${session.version}) whose values are typed properties; setters check the schema.`],
  });
  for (const field of session.fields) {
    const key = JSON.stringify(field.name);
    const setterType = field.optional ? `${typeText(field.type)} | undefined` : typeText(field.type);
    cls.addGetAccessor({
      name: propertyName(field.name),
      returnType: getterType(field),
      docs: docs(field.description),
      statements: [`return this.read(${key}) as ${getterType(field)};`],
    });
    cls.addSetAccessor({
      name: propertyName(field.name),
      parameters: [{ name: "value", type: setterType }],
      statements: [`this.write(${key}, value);`],
    });
  }
  const serializer = session.needsSuperjson ? `createPlanSerializer(${literalText(session.plan)})` : "jsonSerializer";
  file.addVariableStatement({
    isExported: true,
    declarationKind: VariableDeclarationKind.Const,
    docs: [
      `Binds the "${session.sessionName}" session to a store: \`const session = await ${session.exportName}.sessions(store).get(req, res)\`.\n` +
        (session.needsSuperjson
          ? "Values are written in superjson's format by a serializer compiled from the schema."
          : "Values are written as plain JSON: no field needs superjson.") +
        `\nThey are stored as version ${session.version}` +
        (session.history.length === 0 ? "." : `; stored data of version ${listText(session.history.map((older) => String(older.version)))} is migrated on load.`),
    ],
    // An explicit type, so the module passes `isolatedDeclarations`.
    declarations: [
      { name: session.exportName, type: `BoundSession<${className}>`, initializer: `bindSession(${definitionAlias}, ${className}, ${serializer})` },
    ],
  });
}

/**
 * Emits one generated module for a schema module, as text: pure (an in-memory ts-morph project), sorted and
 * byte-deterministic, starting with the generated-file header and ending with the sessions' fingerprints.
 */
export function emitModule(model: ModuleModel, options: EmitOptions): string {
  const project = new Project({ useInMemoryFileSystem: true, skipAddingFilesFromTsConfig: true });
  const file = project.createSourceFile(`/${options.outPath}`, "", { overwrite: true });
  const sessions = [...model.sessions].sort((a, b) => (a.exportName < b.exportName ? -1 : a.exportName > b.exportName ? 1 : 0));
  const runtime = ["TypedSession", "bindSession"];
  if (sessions.some((s) => s.needsSuperjson)) runtime.push("createPlanSerializer");
  if (sessions.some((s) => !s.needsSuperjson)) runtime.push("jsonSerializer");
  file.addImportDeclaration({ moduleSpecifier: options.importFrom, namedImports: runtime.sort() });
  file.addImportDeclaration({ moduleSpecifier: options.importFrom, namedImports: ["BoundSession"], isTypeOnly: true });
  file.addImportDeclaration({
    moduleSpecifier: withExtension(relativeImport(options.outPath, model.sourcePath), options.importExtension ?? "ts"),
    namedImports: sessions.map((s) => ({ name: s.exportName, alias: `${s.exportName}Definition` })),
  });
  for (const session of sessions) addSession(file, session, `${session.exportName}Definition`);
  file.formatText({ indentSize: 2, convertTabsToSpaces: true, ensureNewLineAtEndOfFile: true });
  const header = `// Code generated by typed-sessions from ${model.sourcePath}. DO NOT EDIT.\n\n`;
  const fingerprints = formatFingerprints(
    sessions.map((s) => ({ exportName: s.exportName, sessionName: s.sessionName, version: s.version, fields: s.fingerprint })),
  );
  return `${header}${file.getFullText().replace(/\r\n/g, "\n")}\n${fingerprints}`;
}
