import { defineConfig } from "vitest/config";

// Tests import the package by name ("typed-sessions", "typed-sessions/express"…): the
// `typed-sessions-source` export condition resolves those to src/*.ts, so no build is needed first.
const conditions = ["typed-sessions-source"];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: conditions } },
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
