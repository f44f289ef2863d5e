// typed-sessions/express: the Express middleware. Explicit named exports only.
export { expressSessions } from "./adapters/express/middleware.ts";
export type { ExpressSessionsOptions } from "./adapters/express/middleware.ts";
