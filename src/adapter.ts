// typed-sessions/adapter: for authors of adapters to other frameworks. Explicit named exports only.
export { createRequestContext } from "./http/request-context.ts";
export type { RequestContext, PendingCookie, CookieIo } from "./http/request-context.ts";
export { attachContext } from "./http/context-source.ts";
export type { RequestSource } from "./http/context-source.ts";
export type { CookieJar } from "./http/cookie-jar.ts";
export type { CookieOptions } from "./http/cookie-options.ts";
