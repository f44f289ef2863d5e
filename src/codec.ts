// typed-sessions/codec: the gorilla/securecookie port on its own. Explicit named exports only.
export { createCodec, codecsFromPairs, encodeMulti, decodeMulti, DEFAULT_MAX_AGE, DEFAULT_MAX_LENGTH } from "./codec/codec.ts";
export type { Codec, CodecOptions, CodecSettings, DecodeResult } from "./codec/codec.ts";
export { createWebCryptoCodec } from "./codec/web-codec.ts";
export type { WebCryptoCodec } from "./codec/web-codec.ts";
export { generateRandomKey, keyFromBase64, keyFromHex, keysFromEnv } from "./codec/keys.ts";
export type { EnvKeys, KeyInput, KeyPair, KeyTextOptions } from "./codec/keys.ts";
export { jsonSerializer, superjsonSerializer, rawSerializer } from "./serializers/serializers.ts";
export type { Serializer, SerializerName } from "./serializers/serializers.ts";
export { SessionError, isSessionError, isDecodeError, isUsageError } from "./errors.ts";
