/**
 * `npm run bench`: every benchmark section, each with its baseline measured in the same process.
 * Pass section names to run only some: `npm run bench -- codec`; `--chart` redraws docs/bench-http.svg.
 */
import { runChunksBench } from "./chunks.ts";
import { runCodecBench } from "./codec.ts";
import { runFsStoreBench } from "./fs-store.ts";
import { runHttpBench } from "./http.ts";
import { runSchemaBench } from "./schema.ts";
import { runRedisBench } from "./redis.ts";

const args = process.argv.slice(2);
/** `--chart`: the HTTP section also redraws docs/bench-http.svg (a tracked file, so only when asked). */
const chart = args.includes("--chart");

const sections: Record<string, () => void | Promise<void>> = {
  codec: runCodecBench,
  "fs-store": async () => {
    await runFsStoreBench();
  },
  schema: runSchemaBench,
  redis: runRedisBench,
  http: async () => {
    await runHttpBench(chart ? {} : { chartPath: null });
  },
  chunks: runChunksBench,
};

const wanted = args.filter((arg) => arg !== "--chart");
for (const [name, run] of Object.entries(sections)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  console.log(`\n=== ${name} ===`);
  await run();
}
