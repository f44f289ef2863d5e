// `npm run check:neutral`: builds, then checks that the runtime-neutral entry points of dist/ load without
// Node: no static import of a Node built-in anywhere in their import graph, no read of the global Buffer at
// module level, and none at all outside the Node-only modules (the filesystem store). Exit 1 on a problem.
//
//   npm run check:neutral            build, then scan dist/src
//   tsx scripts/check-neutral.ts     scan what dist/src holds now
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { NEUTRAL_ENTRIES, scanNeutralGraph } from "./neutral-graph.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dist = path.join(root, "dist", "src");
const entries = NEUTRAL_ENTRIES.map((entry) => path.join(dist, `${entry}.js`));
const missing = entries.filter((entry) => !existsSync(entry));
if (missing.length > 0) {
  console.error(`check-neutral: ${missing.map((file) => path.relative(root, file)).join(", ")} missing; run \`npm run build\` first.`);
  process.exit(1);
}
const report = scanNeutralGraph({ entries, root, nodeOnly: (file) => file.startsWith(path.join(dist, "stores", "fs") + path.sep) });
console.log(`check-neutral: ${NEUTRAL_ENTRIES.length} entry points, ${report.files.length} modules, packages: ${report.packages.join(", ") || "none"}`);
for (const problem of report.problems) console.error(`  ${problem}`);
if (report.problems.length > 0) {
  console.error(`check-neutral: ${report.problems.length} problem(s): these entry points would not load where there is no Node.`);
  process.exit(1);
}
console.log("check-neutral: no static node: import, no global Buffer at module level or outside the Node-only modules.");
