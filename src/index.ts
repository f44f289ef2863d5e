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
export { jsonSerializer, superjsonSerializer, rawSerializer } from "./codec/serializers.ts";
export type { Serializer, SerializerName } from "./codec/serializers.ts";
