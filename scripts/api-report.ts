// API reports: one reviewed `api/<entry>.api.md` per entry point in package.json `exports`
// ("." -> api/typed-sessions.api.md, "./express" -> api/typed-sessions-express.api.md, ...).
//
//   npm run api         build, then rewrite the reports (for developers; commit the result)
//   npm run api:check   build, then fail (exit 1) if a report differs from the checked-in one (the
//                       diff is printed), if a report is missing or has no entry any more, or on an
//                       API Extractor warning or error
//
// The declarations come from `npm run build` (tsconfig.build.json: src/x.ts -> dist/src/x.d.ts). Each entry
// is run through API Extractor's Node API with a configuration built here (one TypeScript program for
// all entries), so adding an entry point to `exports` is all it takes to get a report.
//
// Doc comments (ae-undocumented): the reports mark each API item without one "(undocumented)", and
// both modes fail on such an item unless api/undocumented.txt lists it. That list is the debt found
// when the reports were set up; `npm run api` removes the names that got documented (or went away) and
// never adds one; `api:check` fails while it lists such a name. Rewriting it from scratch is a
// deliberate act: `tsx scripts/api-report.ts --local --accept-undocumented`.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import {
  CompilerState,
  Extractor,
  ExtractorConfig,
  ExtractorLogLevel,
  type ExtractorMessage,
  type IConfigFile,
} from "@microsoft/api-extractor";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const reportFolder = path.join(root, "api");
const tempFolder = path.join(root, "dist", ".api-report");
const packageJsonPath = path.join(root, "package.json");
const typescriptFolder = path.join(root, "node_modules", "typescript");

const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== "--local" && a !== "--accept-undocumented");
const local = args.includes("--local");
const acceptUndocumented = args.includes("--accept-undocumented");
if (unknown.length > 0 || (acceptUndocumented && !local)) {
  console.error("usage: tsx scripts/api-report.ts [--local [--accept-undocumented]]");
  process.exit(2);
}
const FIX = "run `npm run api` and commit the api/ changes";

interface PackageJson {
  name: string;
  exports?: string | Record<string, unknown>;
}
const packageJson = JSON.parse(readFileSync(packageJsonPath, "utf8")) as PackageJson;

interface Entry {
  /** The subpath in `exports`: ".", "./express", ... */
  subpath: string;
  /** The import specifier users write: "typed-sessions", "typed-sessions/express", ... */
  specifier: string;
  /** Report base name: "typed-sessions", "typed-sessions-express", ... (API Extractor adds ".api.md"). */
  reportName: string;
  /** `src/x.ts` */
  source: string;
  /** Absolute path of `dist/x.d.ts` */
  declaration: string;
}

function fail(message: string): never {
  console.error(`\napi-report: ${message}`);
  process.exit(1);
}

/**
 * The source of one `exports` value: its `types` condition's declaration (`./dist/src/x.d.ts`) maps back to
 * `./src/x.ts` (tsconfig.build.json compiles src/ into dist/src/).
 */
function sourceOf(value: unknown): string | undefined {
  const types = typeof value === "object" && value !== null ? (value as Record<string, unknown>)["types"] : undefined;
  if (typeof types !== "string") return undefined;
  const match = /^\.\/dist\/src\/(.+)\.d\.ts$/.exec(types);
  return match === null ? undefined : `./src/${match[1]}.ts`;
}

function entries(): Entry[] {
  const exportsField = packageJson.exports;
  if (exportsField === undefined) fail("package.json has no `exports`.");
  const map: Record<string, unknown> =
    typeof exportsField === "string" || !Object.keys(exportsField).every((k) => k.startsWith("."))
      ? { ".": exportsField }
      : exportsField;
  const unscoped = packageJson.name.replace(/^@[^/]+\//, "");
  const result: Entry[] = [];
  for (const [subpath, value] of Object.entries(map)) {
    if (subpath === "./package.json") continue;
    if (subpath.includes("*")) fail(`exports["${subpath}"]: wildcard entries are not supported by the API report.`);
    const source = sourceOf(value);
    const match = source === undefined ? null : /^\.\/src\/(.+)\.ts$/.exec(source);
    if (source === undefined || match === null) {
      fail(`exports["${subpath}"] is ${JSON.stringify(value)}; expected "./src/<path>.ts".`);
    }
    if (!existsSync(path.join(root, source))) fail(`exports["${subpath}"] points at ${source}, which does not exist.`);
    const rest = subpath === "." ? "" : subpath.slice(2);
    result.push({
      subpath,
      specifier: rest === "" ? packageJson.name : `${packageJson.name}/${rest}`,
      reportName: rest === "" ? unscoped : `${unscoped}-${rest.replace(/[^A-Za-z0-9._-]+/g, "-")}`,
      source: source.slice(2),
      declaration: path.join(root, "dist", "src", `${match[1]}.d.ts`),
    });
  }
  const names = new Set<string>();
  for (const e of result) {
    if (names.has(e.reportName)) fail(`two entries map to the report name ${e.reportName}.api.md.`);
    names.add(e.reportName);
  }
  return result;
}

function configFor(entry: Entry): ExtractorConfig {
  const configObject: IConfigFile = {
    projectFolder: root,
    mainEntryPointFilePath: entry.declaration,
    compiler: { tsconfigFilePath: path.join(root, "tsconfig.build.json") },
    newlineKind: "lf",
    apiReport: {
      enabled: true,
      reportFileName: entry.reportName,
      reportFolder,
      reportTempFolder: tempFolder,
      // Types reachable from the API but not exported are listed in full, so changing them shows too.
      includeForgottenExports: true,
    },
    docModel: { enabled: false },
    dtsRollup: { enabled: false },
    tsdocMetadata: { enabled: false },
    messages: {
      compilerMessageReporting: { default: { logLevel: ExtractorLogLevel.Error } },
      extractorMessageReporting: {
        default: { logLevel: ExtractorLogLevel.Warning },
        // We do not use release tags (@public/@beta/...).
        "ae-missing-release-tag": { logLevel: ExtractorLogLevel.None },
        // The report marks each such item "(undocumented)" next to its declaration; the messages come to
        // this script, which lists them and fails on any that is not in api/undocumented.txt.
        "ae-undocumented": { logLevel: ExtractorLogLevel.Warning, addToApiReportFile: false },
        // {@link} targets resolve per entry point, and most links name the main entry's exports; they only
        // matter for a doc model, which we do not build.
        "ae-unresolved-link": { logLevel: ExtractorLogLevel.None },
        // Written into the report: a type the API uses but the entry does not export.
        "ae-forgotten-export": { logLevel: ExtractorLogLevel.Warning, addToApiReportFile: true },
      },
      // The sources use JSDoc, not strict TSDoc syntax: TSDoc syntax remarks would be noise here.
      tsdocMessageReporting: { default: { logLevel: ExtractorLogLevel.None } },
    },
  };
  return ExtractorConfig.prepare({
    configObject,
    configObjectFullPath: undefined,
    packageJsonFullPath: packageJsonPath,
  });
}

// ---- ae-undocumented: qualified names, and the list of accepted ones -------------------------------

const sourceFiles = new Map<string, ts.SourceFile>();
function sourceFile(file: string): ts.SourceFile {
  let sf = sourceFiles.get(file);
  if (sf === undefined) {
    sf = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
    sourceFiles.set(file, sf);
  }
  return sf;
}

function nameOf(node: ts.Node): string | undefined {
  if (ts.isConstructorDeclaration(node)) return "constructor";
  const name = (node as { name?: ts.Node }).name;
  return name !== undefined && (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isPrivateIdentifier(name))
    ? name.text
    : undefined;
}

/** "DecodeResult.value" for the member `value` declared on `line` of `file` inside `DecodeResult`. */
function qualifiedName(file: string, line: number, leaf: string): string {
  if (!existsSync(file)) return leaf;
  const sf = sourceFile(file);
  let found: ts.Node | undefined;
  const visit = (node: ts.Node): void => {
    const nameNode = (node as { name?: ts.Node }).name ?? node;
    if (nameOf(node) === leaf && sf.getLineAndCharacterOfPosition(nameNode.getStart(sf)).line === line - 1)
      found = node;
    ts.forEachChild(node, visit);
  };
  visit(sf);
  if (found === undefined) return leaf;
  const parts: string[] = [];
  for (let n: ts.Node | undefined = found; n !== undefined && !ts.isSourceFile(n); n = n.parent) {
    if (ts.isVariableDeclarationList(n) || ts.isVariableStatement(n)) continue;
    const name = nameOf(n);
    if (name !== undefined && (n === found || !ts.isParameter(n))) parts.unshift(name);
  }
  return parts.join(".");
}

interface Undocumented {
  /** "Class.member" */
  name: string;
  /** src file:line */
  where: string;
  entries: Set<string>;
  /** Whether some entry exports the top-level name (if not, it is an ae-forgotten-export). */
  exported: boolean;
}

const BASELINE = path.join(reportFolder, "undocumented.txt");
const BASELINE_HEADER = `# API items without a doc comment that were there when the API report was set up: known debt.
# \`npm run api\` removes a line once the item is documented (or gone) and never adds one, so a new
# undocumented item fails \`npm run api\` and \`npm run api:check\`: give it a /** doc comment */.
`;
function readBaseline(): Set<string> {
  if (!existsSync(BASELINE)) return new Set();
  return new Set(
    readFileSync(BASELINE, "utf8")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l !== "" && !l.startsWith("#")),
  );
}
function writeBaseline(names: Iterable<string>): void {
  const sorted = [...new Set(names)].sort();
  if (sorted.length === 0) {
    rmSync(BASELINE, { force: true });
    return;
  }
  writeFileSync(BASELINE, BASELINE_HEADER + sorted.join("\n") + "\n");
}

/** Top-level names that a report declares with `export`. */
function exportedNamesIn(report: string): Set<string> {
  const names = new Set<string>();
  for (const m of report.matchAll(
    /^export (?:declare )?(?:abstract )?(?:class|interface|function|const|let|var|type|enum|namespace) ([\w$]+)/gm,
  )) {
    names.add(m[1]!);
  }
  // A name that clashes with a global is declared as `Name_2` and exported as `export { Name_2 as Name }`.
  for (const m of report.matchAll(/^export \{ [\w$]+ as ([\w$]+) \}/gm)) names.add(m[1]!);
  return names;
}

// ---- run ----------------------------------------------------------------------------------------------

const started = performance.now();
const list = entries();
if (list.length === 0) fail("package.json `exports` has no entry point.");
for (const e of list) {
  if (!existsSync(e.declaration)) {
    fail(
      `${path.relative(root, e.declaration)} is missing (for exports["${e.subpath}"]); run \`npm run build\` first.`,
    );
  }
}
// The declarations must be newer than their sources (the npm scripts build first; running this alone may not).
for (const file of readdirSync(path.join(root, "src"), { recursive: true, encoding: "utf8" })) {
  if (!file.endsWith(".ts") || file.endsWith(".d.ts")) continue;
  const dts = path.join(root, "dist", "src", file.replace(/\.ts$/, ".d.ts"));
  if (!existsSync(dts) || statSync(dts).mtimeMs < statSync(path.join(root, "src", file)).mtimeMs) {
    fail(`dist/ is older than src/${file}; run \`npm run build\` first (npm run api and npm run api:check do).`);
  }
}
rmSync(tempFolder, { recursive: true, force: true });
mkdirSync(reportFolder, { recursive: true });

// One TypeScript program for all entries: the expensive part runs once.
const configs = list.map((e) => ({ entry: e, config: configFor(e) }));
const compilerState = CompilerState.create(configs[0]!.config, {
  additionalEntryPoints: list.map((e) => e.declaration),
  typescriptCompilerFolder: typescriptFolder,
});

const problems: string[] = [];
const undocumented = new Map<string, Undocumented>();
for (const { entry, config } of configs) {
  const label = `${entry.specifier} (exports["${entry.subpath}"] = ./${entry.source})`;
  const reportFile = `api/${entry.reportName}.api.md`;
  const diff: string[] = [];
  const issues: string[] = [];
  const missingDocs: { file: string; line: number; leaf: string }[] = [];
  let changed = false;
  let errors = 0;

  Extractor.invoke(config, {
    localBuild: local,
    compilerState,
    typescriptCompilerFolder: typescriptFolder,
    printApiReportDiff: !local,
    messageCallback(message: ExtractorMessage) {
      message.handled = true;
      const level = message.logLevel;
      // What this script reports itself does not count as API Extractor's warning.
      message.logLevel = ExtractorLogLevel.None;
      switch (message.messageId) {
        case "console-api-report-not-copied":
        case "console-api-report-copied":
        case "console-api-report-created":
          changed = true;
          return;
        case "console-api-report-diff":
          diff.push(message.text.replace(/^Changes to the API report:\s*/, ""));
          return;
        case "ae-undocumented": {
          const leaf = /Missing documentation for "(.*)"/.exec(message.text)?.[1] ?? message.text;
          missingDocs.push({ file: message.sourceFilePath ?? "", line: message.sourceFileLine ?? 0, leaf });
          return;
        }
      }
      if (level !== ExtractorLogLevel.Error && level !== ExtractorLogLevel.Warning) return;
      if (level === ExtractorLogLevel.Error) errors++;
      const where = message.sourceFilePath
        ? `${path.relative(root, message.sourceFilePath)}:${message.sourceFileLine ?? 0}: `
        : "";
      issues.push(
        `${level}: ${where}${message.category === "console" ? "" : `(${message.messageId}) `}${message.text}`,
      );
    },
  });

  const generated = readFileSync(path.join(tempFolder, `${entry.reportName}.api.md`), "utf8");
  const exported = exportedNamesIn(generated);
  for (const { file, line, leaf } of missingDocs) {
    const name = qualifiedName(file, line, leaf);
    const where = `${path.relative(root, file)}:${line}`;
    const isExported = exported.has(name.split(".")[0]!);
    const known = undocumented.get(name);
    if (known) {
      known.entries.add(entry.specifier);
      known.exported ||= isExported;
    } else {
      undocumented.set(name, { name, where, entries: new Set([entry.specifier]), exported: isExported });
    }
  }

  const checkedIn = existsSync(path.join(root, reportFile));
  if (local) {
    console.log(`${changed ? "updated  " : "unchanged"} ${reportFile}  <- ${label}`);
  } else if (changed) {
    const what = checkedIn ? `the API differs from ${reportFile}` : `${reportFile} is missing`;
    problems.push(`${label}: ${what}; ${FIX}.`);
    console.error(`\nFAIL ${label}: ${what}`);
    for (const d of diff) console.error(d.replace(/^/gm, "    "));
  } else {
    console.log(`ok   ${reportFile}  <- ${label}`);
  }
  for (const m of issues) console.error(`  ${entry.specifier}: ${m}`);
  if (issues.length > 0) {
    const warnings = issues.length - errors;
    // Errors (TypeScript's, or an unreadable entry) fail both modes; other warnings fail the check.
    if (errors > 0 || !local)
      problems.push(`${label}: API Extractor reported ${errors} error(s), ${warnings} warning(s) (above).`);
  }
}

// Reports for entries that no longer exist.
const expected = new Set(list.map((e) => `${e.reportName}.api.md`));
for (const file of readdirSync(reportFolder).filter((f) => f.endsWith(".api.md") && !expected.has(f))) {
  if (local) {
    rmSync(path.join(reportFolder, file));
    console.log(`removed   api/${file}  (no such entry in package.json exports)`);
  } else {
    problems.push(`api/${file} has no entry in package.json exports; ${FIX}.`);
  }
}

// Undocumented items: the accepted ones (api/undocumented.txt) are listed as warnings, new ones fail.
const baseline = readBaseline();
const current = [...undocumented.values()].sort((a, b) => a.name.localeCompare(b.name));
const fresh = current.filter((u) => !baseline.has(u.name));
const fixed = [...baseline].filter((n) => !undocumented.has(n));
const describe = (u: Undocumented): string =>
  `  ${u.name.padEnd(36)} ${u.where.padEnd(34)} ${[...u.entries].join(", ")}${u.exported ? "" : " (reachable, but exported by no entry)"}`;
if (acceptUndocumented) {
  writeBaseline(current.map((u) => u.name));
  console.log(`\nwrote api/undocumented.txt: ${current.length} item(s) accepted as undocumented`);
} else {
  const accepted = current.filter((u) => baseline.has(u.name));
  if (accepted.length > 0) {
    console.warn(
      `\nwarning: ${accepted.length} API item(s) without a doc comment, accepted in api/undocumented.txt (ae-undocumented):`,
    );
    for (const u of accepted) console.warn(describe(u));
  }
  if (fresh.length > 0) {
    console.error(
      `\nerror: ${fresh.length} API item(s) without a doc comment (ae-undocumented); every exported name needs one:`,
    );
    for (const u of fresh) console.error(describe(u));
    problems.push(`${fresh.length} API item(s) have no doc comment (listed above): add a /** doc comment */ to each.`);
  }
  if (fixed.length > 0) {
    if (local) {
      writeBaseline([...baseline].filter((n) => undocumented.has(n)));
      console.log(
        `\napi/undocumented.txt: removed ${fixed.length} item(s) that are documented now: ${fixed.join(", ")}`,
      );
    } else {
      problems.push(
        `api/undocumented.txt still lists ${fixed.length} documented or removed item(s) (${fixed.join(", ")}); ${FIX}.`,
      );
    }
  }
}

rmSync(tempFolder, { recursive: true, force: true });
const seconds = ((performance.now() - started) / 1000).toFixed(1);
if (problems.length > 0) {
  console.error(`\napi-report: FAILED (${list.length} entries, ${seconds}s)`);
  for (const p of problems) console.error(`  - ${p}`);
  process.exit(1);
}
console.log(
  `\napi-report: ${local ? "reports written" : "all reports up to date"} (${list.length} entries, ${seconds}s)`,
);
