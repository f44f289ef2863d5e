// typed-sessions: the entry point for application code. Explicit named exports only.
export { sessions, saveAll } from "./session/manager.ts";
export type { SessionManager } from "./session/manager.ts";
export type { Session } from "./session/session.ts";
export type { SessionConfig, ErrorHook, ErrorInfo, ValidateInfo } from "./session/session-config.ts";
export { clearAll } from "./stores/live-stores.ts";
export { csrfToken, verifyCsrfToken, assertCsrfToken } from "./session/csrf.ts";
export type { CsrfSession } from "./session/csrf.ts";

export { CookieStore } from "./stores/cookie-store.ts";
export type { CookieStoreOptions } from "./stores/cookie-store.ts";
export type { CookieChunking } from "./stores/cookie-chunks.ts";
export { FilesystemStore } from "./stores/fs/fs-store.ts";
export type { FilesystemStoreOptions } from "./stores/fs/fs-store.ts";
export { MemoryStore } from "./stores/memory-store.ts";
export type { MemoryStoreOptions } from "./stores/memory-store.ts";
export type { Store } from "./stores/store.ts";
export type { KeyUseInfo } from "./stores/store-options.ts";
export type { CookieOptions } from "./http/cookie-options.ts";

export { defineSession } from "./typed/define-session.ts";
export type { SessionDefinition } from "./typed/define-session.ts";

export { generateRandomKey, keyFromBase64, keyFromHex, keysFromEnv } from "./codec/keys.ts";
export type { EnvKeys, KeyPair, KeyTextOptions } from "./codec/keys.ts";

export { SessionError, SessionValidationError, isSessionError, isDecodeError, isUsageError } from "./errors.ts";
export type { SessionErrorCode, ValidationIssue } from "./errors.ts";

export { nodeContext } from "./http/node.ts";
export type { RequestContext } from "./http/request-context.ts";
export type { RequestSource } from "./http/context-source.ts";
export type { CookieJar } from "./http/cookie-jar.ts";
