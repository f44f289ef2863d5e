// Walks the import graph of the runtime-neutral entry points and reports what would stop them from loading
// where there is no Node (a worker, an edge runtime, a browser bundle): a static import of a Node built-in
// (`node:fs`, or `fs` unprefixed), and the global `Buffer` read at module level (or anywhere, outside the
// Node-only modules). Reads built JavaScript (dist/) as it is, TypeScript sources (src/) as tsc emits them.
import { builtinModules } from "node:module";
import { readFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import ts from "typescript";

/** The entry points that must load without Node, by name (`src/<name>.ts`, `dist/src/<name>.js`). */
export const NEUTRAL_ENTRIES = ["index", "codec", "fetch", "hono", "runtime", "store", "adapter"] as const;

/** The packages the neutral graph may import: pure JavaScript, no Node built-ins (zod: an optional peer). */
export const NEUTRAL_PACKAGES: ReadonlySet<string> = new Set(["cookie", "superjson", "zod"]);

/** What {@link scanNeutralGraph} found. */
export interface NeutralGraphReport {
  /** Every module reached, relative to the scan's root. */
  readonly files: readonly string[];
  /** The packages imported, by name. */
  readonly packages: readonly string[];
  /** What would stop the graph from loading without Node, one sentence each. */
  readonly problems: readonly string[];
}

/** Options of {@link scanNeutralGraph}. */
export interface NeutralGraphOptions {
  /** Paths of the entry modules. */
  readonly entries: readonly string[];
  /** Tells a Node-only module (reached only where Node is): it may read the global `Buffer` inside functions. */
  readonly nodeOnly: (file: string) => boolean;
  /** Reads a module's source. @default readFileSync(file, "utf8") */
  readonly read?: ((file: string) => string) | undefined;
  /** What paths in the report are relative to. @default process.cwd() */
  readonly root?: string | undefined;
}

const BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

/** The JavaScript of `file`: TypeScript as tsc emits it with this repository's settings (type-only imports gone). */
function javascriptOf(file: string, source: string): string {
  if (!file.endsWith(".ts")) return source;
  return ts.transpileModule(source, {
    fileName: file,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
  }).outputText;
}

/** The package a bare specifier names (`@scope/name/sub` → `@scope/name`). */
function packageOf(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] as string);
}

function isFunctionLike(node: ts.Node): boolean {
  return ts.isFunctionLike(node) || (ts.isPropertyDeclaration(node) && !node.modifiers?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword));
}

/** Whether `node` is an identifier read as a value (not a property name, not a declaration's own name). */
function isValueReference(node: ts.Identifier): boolean {
  const parent = node.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.name === node) return false;
  if ((ts.isPropertyAssignment(parent) || ts.isMethodDeclaration(parent) || ts.isPropertyDeclaration(parent)) && parent.name === node) return false;
  if (ts.isImportSpecifier(parent) || ts.isExportSpecifier(parent) || ts.isImportClause(parent) || ts.isNamespaceImport(parent)) return false;
  if ((ts.isVariableDeclaration(parent) || ts.isFunctionDeclaration(parent) || ts.isClassDeclaration(parent)) && parent.name === node) return false;
  return true;
}

/** Adds the names `statements` declare (variables, functions, classes) to `names`. */
function addDeclared(statements: readonly ts.Statement[], names: Set<string>): void {
  for (const statement of statements) {
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) if (ts.isIdentifier(declaration.name)) names.add(declaration.name.text);
    } else if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && statement.name !== undefined) {
      names.add(statement.name.text);
    }
  }
}

/** The names a scope-opening `node` binds for what it holds (a function's parameters, a block's declarations). */
function scopeNames(node: ts.Node, outer: ReadonlySet<string>): ReadonlySet<string> {
  const parameters = ts.isFunctionLike(node) ? node.parameters : undefined;
  const statements = ts.isBlock(node) || ts.isSourceFile(node) ? node.statements : undefined;
  if (parameters === undefined && statements === undefined) return outer;
  const names = new Set(outer);
  for (const parameter of parameters ?? []) if (ts.isIdentifier(parameter.name)) names.add(parameter.name.text);
  addDeclared(statements ?? [], names);
  return names;
}

/** The names a module binds at its top level (imports and declarations): those shadow globals. */
function topLevelNames(file: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  addDeclared(file.statements, names);
  for (const statement of file.statements) {
    if (ts.isImportDeclaration(statement) && statement.importClause !== undefined) {
      const clause = statement.importClause;
      if (clause.name !== undefined) names.add(clause.name.text);
      const bindings = clause.namedBindings;
      if (bindings !== undefined && ts.isNamespaceImport(bindings)) names.add(bindings.name.text);
      if (bindings !== undefined && ts.isNamedImports(bindings)) for (const element of bindings.elements) names.add(element.name.text);
    }
  }
  return names;
}

/**
 * Walks the graph from `entries` through relative imports and reports every static import of a Node
 * built-in, every package outside {@link NEUTRAL_PACKAGES}, every read of the global `Buffer` at module
 * level, and every read of it inside functions of a module that is not Node-only.
 */
export function scanNeutralGraph(options: NeutralGraphOptions): NeutralGraphReport {
  const read = options.read ?? ((file: string) => readFileSync(file, "utf8"));
  const root = options.root ?? process.cwd();
  const name = (file: string) => relative(root, file);
  const seen = new Set<string>();
  const packages = new Set<string>();
  const problems: string[] = [];
  const queue = options.entries.map((entry) => resolve(entry));
  while (queue.length > 0) {
    const file = queue.shift() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = ts.createSourceFile(file, javascriptOf(file, read(file)), ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
    const topLevel = topLevelNames(source);
    const imported = (specifier: string, how: string) => {
      if (specifier.startsWith(".")) queue.push(resolve(dirname(file), specifier));
      else if (BUILTINS.has(specifier)) problems.push(`${name(file)} ${how} "${specifier}", a Node built-in`);
      else {
        packages.add(packageOf(specifier));
        if (!NEUTRAL_PACKAGES.has(packageOf(specifier))) problems.push(`${name(file)} ${how} "${specifier}", a package not known to load without Node`);
      }
    };
    const visit = (node: ts.Node, inFunction: boolean, bound: ReadonlySet<string>): void => {
      if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier !== undefined && ts.isStringLiteral(node.moduleSpecifier)) {
        imported(node.moduleSpecifier.text, "imports");
      } else if (ts.isCallExpression(node) && node.arguments.length > 0 && ts.isStringLiteralLike(node.arguments[0] as ts.Expression)) {
        const callee = node.expression;
        const specifier = (node.arguments[0] as ts.StringLiteralLike).text;
        if (callee.kind === ts.SyntaxKind.ImportKeyword) imported(specifier, "imports (import())");
        else if (ts.isIdentifier(callee) && callee.text === "require") imported(specifier, "requires");
      } else if (ts.isIdentifier(node) && node.text === "Buffer" && !bound.has("Buffer") && isValueReference(node)) {
        const line = source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
        if (!inFunction) problems.push(`${name(file)}:${line} reads the global Buffer at module level`);
        else if (!options.nodeOnly(file)) problems.push(`${name(file)}:${line} reads the global Buffer outside the Node-only modules`);
      }
      const inner = scopeNames(node, bound);
      ts.forEachChild(node, (child) => visit(child, inFunction || isFunctionLike(node), inner));
    };
    visit(source, false, topLevel);
  }
  return { files: [...seen].map(name).sort(), packages: [...packages].sort(), problems };
}
