// typed-sessions/hono: the Hono middleware. Explicit named exports only.
export { honoSessions } from "./adapters/hono/middleware.ts";
export type { SaveAllOptions } from "./adapters/fetch/with-sessions.ts";
