import { defineConfig } from "vitest/config";

// Real-browser tests: `npm run test:e2e` (needs /usr/bin/chromium). Kept out of `npm test`.
import { packageAliases } from "./vitest.config.ts";

export default defineConfig({
  resolve: { alias: packageAliases }, // the package by name resolves to src/*.ts (see vitest.config.ts)
  test: {
    include: ["test/e2e/**/*.e2e.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
