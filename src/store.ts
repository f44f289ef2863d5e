// typed-sessions/store: for authors of custom stores. Explicit named exports only.
export { StoreBase } from "./stores/store-base.ts";
export { ServerStore } from "./stores/server-store.ts";
export type { SessionBackend, ServerStoreOptions } from "./stores/server-store.ts";
export { MemoryBackend } from "./stores/memory-store.ts";
export { FilesystemBackend } from "./stores/fs/fs-backend.ts";
export { SESSION_ID_PATTERN, generateSessionId, isValidSessionId } from "./stores/session-id.ts";
export type { Store, SessionRecord, LoadedRecord, RecordWrite, PreparedWrite } from "./stores/store.ts";
export type { CookieChunking } from "./stores/cookie-chunks.ts";
export type { KeyOptions, StoreOptions } from "./stores/store-options.ts";
