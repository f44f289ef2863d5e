// typed-sessions/hono
export * from "./adapters/hono/middleware.ts";
