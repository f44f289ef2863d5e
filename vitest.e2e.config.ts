import { defineConfig } from "vitest/config";

// Real-browser tests: `npm run test:e2e` (needs /usr/bin/chromium). Kept out of `npm test`.
const conditions = ["typed-sessions-source"]; // the package by name resolves to src/*.ts (see vitest.config.ts)

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: conditions } },
  test: {
    include: ["test/e2e/**/*.e2e.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
