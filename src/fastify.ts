// typed-sessions/fastify
export * from "./adapters/fastify/plugin.ts";
