// typed-sessions/fetch: sessions for any Fetch-API server (Next.js route handlers, Bun, Deno, workers).
export { fetchSessions } from "./adapters/fetch/with-sessions.ts";
export type { SaveAllOptions } from "./adapters/fetch/with-sessions.ts";
export { applySetCookies } from "./adapters/set-cookies.ts";
export { fetchContext } from "./http/fetch.ts";
export type { FetchContext } from "./http/fetch.ts";
