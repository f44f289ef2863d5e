// typed-sessions/fastify: the Fastify plugin. Explicit named exports only.
export { fastifySessions } from "./adapters/fastify/plugin.ts";
export type { SaveAllOptions } from "./adapters/fetch/with-sessions.ts";
