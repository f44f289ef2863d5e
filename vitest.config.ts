import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/**
 * Tests import the package by name ("typed-sessions", "typed-sessions/express"…); these aliases resolve
 * those to src/*.ts (as tsconfig.json's `paths` do for tsc and tsx), so no build is needed first.
 */
export const packageAliases = [
  { find: /^typed-sessions$/, replacement: fileURLToPath(new URL("./src/index.ts", import.meta.url)) },
  { find: /^typed-sessions\/(.+)$/, replacement: fileURLToPath(new URL("./src/$1.ts", import.meta.url)) },
];

export default defineConfig({
  resolve: { alias: packageAliases },
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    // Timeouts catch hangs, not slowness: the CLI tests spawn `gen` (tsx + ts-morph) several times each, which
    // took over 20 s a test on this 2-core host under load (load average 8-15), with nothing wrong.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
