// The public API of typed-sessions: explicit named exports only.
export { SessionError, isSessionError, isDecodeError, isUsageError } from "./errors.ts";
export type { ErrorKind, SessionErrorCode } from "./errors.ts";

export {
  createCodec,
  codecsFromPairs,
  encodeMulti,
  decodeMulti,
  DEFAULT_MAX_AGE,
  DEFAULT_MAX_LENGTH,
} from "./codec/codec.ts";
export type { Codec, CodecOptions, DecodeResult } from "./codec/codec.ts";
export { generateRandomKey } from "./codec/keys.ts";
export type { KeyInput, KeyPair } from "./codec/keys.ts";
export { jsonSerializer, superjsonSerializer, rawSerializer } from "./serializers/serializers.ts";
export type { Serializer, SerializerName } from "./serializers/serializers.ts";

// Sessions, stores, registry and request contexts (issue 3).
export { SessionValidationError } from "./errors.ts";
export type { ValidationIssue } from "./errors.ts";
export { Session, DEFAULT_FLASH_KEY } from "./session/session.ts";
export type { SessionInit } from "./session/session.ts";
export type { SessionConfig, ErrorHook, ErrorInfo, ErrorPhase } from "./session/session-config.ts";
export type { Store, ClearableStore } from "./stores/store.ts";
export { sessions, clearAll } from "./session/manager.ts";
export type { SessionManager } from "./session/manager.ts";
export { saveAll, registrySession, registrySessions } from "./session/registry.ts";
export { defaultCookieOptions, resolveCookieOptions, assertCookieName, DEFAULT_COOKIE_MAX_AGE } from "./http/cookie-options.ts";
export type { CookieOptions } from "./http/cookie-options.ts";
export { CookieStore } from "./stores/cookie-store.ts";
export type { CookieStoreOptions } from "./stores/cookie-store.ts";
export { ServerStore } from "./stores/server-store.ts";
export type { SessionBackend, ServerStoreOptions } from "./stores/server-store.ts";
export { FilesystemStore } from "./stores/fs/fs-store.ts";
export type { FilesystemStoreOptions } from "./stores/fs/fs-store.ts";
export { FilesystemBackend } from "./stores/fs/fs-backend.ts";
export { MemoryStore, MemoryBackend } from "./stores/memory-store.ts";
export type { MemoryStoreOptions } from "./stores/memory-store.ts";
export { SESSION_ID_PATTERN, generateSessionId, isValidSessionId } from "./stores/session-id.ts";
export type { KeyOptions, StoreOptions } from "./stores/store-options.ts";
export type { RequestContext } from "./http/context.ts";
export { nodeContext } from "./http/node.ts";
export type { NodeContext, NodeRequestLike, NodeResponseLike } from "./http/node.ts";
export { fetchContext } from "./http/fetch.ts";
export type { FetchContext } from "./http/fetch.ts";
export { formatSetCookie, parseCookieHeader } from "./http/cookie-header.ts";

// Typed sessions (schemas + gen).
export { defineSession, isSessionDefinition } from "./typed/define-session.ts";
export type { DataSchema, DefinitionCookieOptions, OnInvalid, SessionDefinition, SessionDefinitionInput } from "./typed/define-session.ts";
export { createValidator, parseField, storedValuesSchema } from "./typed/validate.ts";
export { TypedSession } from "./typed/typed-session.ts";
export { bindSession } from "./typed/bind-session.ts";
export type { BoundSession, TypedSessionManager } from "./typed/bind-session.ts";
export { createPlanSerializer, stringifyWithPlan } from "./serializers/plan-serializer.ts";
export type { SerializerPlan } from "./serializers/plan-serializer.ts";
export { parseSuperjson } from "./serializers/superjson-reader.ts";
