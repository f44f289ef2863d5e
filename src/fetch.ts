// typed-sessions/fetch
export * from "./adapters/fetch/with-sessions.ts";
