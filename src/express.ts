// typed-sessions/express
export * from "./adapters/express/middleware.ts";
