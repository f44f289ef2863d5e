import { type CodecOptions, type DecodeResult, resolveCodecOptions } from "./codec-options.ts";
import { invalidMac } from "./secure-cookie-checks.ts";
import { WebKeyPair, encodeWithWebCrypto, openWebAuthentic, openWebEnvelope, verifyWebMac, webSubtle } from "./web-secure-cookie.ts";

/**
 * A `Codec` on WebCrypto: the same gorilla/securecookie bytes and the same errors, with promises
 * (WebCrypto is asynchronous). Errors are rejections, never synchronous throws.
 */
export interface WebCryptoCodec {
  /** Encodes `value` for the cookie (or file) called `name`, with the newest key pair. */
  encode(name: string, value: unknown): Promise<string>;
  /** Decodes a value encoded under `name`; rejects with a decode `SessionError` for anything untrusted. */
  decode(name: string, cookie: string): Promise<unknown>;
  /** Like {@link WebCryptoCodec.decode}, and tells which key pair verified the value. */
  decodeWithKeyIndex(name: string, cookie: string): Promise<DecodeResult>;
}

/**
 * Creates a codec compatible with gorilla/securecookie on WebCrypto (`crypto.subtle`): what
 * `createCodec` does, with the same options, bytes and errors, on every runtime with WebCrypto
 * (Cloudflare Workers, Vercel Edge and Next.js middleware, Deno, Bun, browsers, Node), asynchronously. Keys
 * are imported into WebCrypto on first use; a block key this runtime's WebCrypto refuses (AES-192 in
 * browsers) rejects then with `invalid_block_key`. Throws `unsupported_runtime` where there is no
 * `crypto.subtle`. On Node, `createCodec` is faster.
 * @example
 * const codec = createWebCryptoCodec({ hashKey, blockKey, serializer: "json" });
 * const cookie = await codec.encode("session", { name: "kataras" });
 * await codec.decode("session", cookie); // { name: "kataras" }
 */
export function createWebCryptoCodec(options: CodecOptions): WebCryptoCodec {
  const subtle = webSubtle();
  const { pairs, serializer, limits } = resolveCodecOptions(options);
  const keys = pairs.map((pair) => new WebKeyPair(pair, subtle));
  const newest = keys[0]!;

  async function decodeWithKeyIndex(name: string, cookie: string): Promise<DecodeResult> {
    const envelope = openWebEnvelope(name, cookie, limits);
    for (let keyIndex = 0; keyIndex < keys.length; keyIndex++) {
      const pair = keys[keyIndex]!;
      // As in createCodec: the first pair whose MAC verifies wrote the value (see checkRotation).
      if (await verifyWebMac(pair, subtle, envelope)) {
        return { value: await openWebAuthentic(pair, subtle, serializer, limits, name, envelope), keyIndex };
      }
    }
    throw invalidMac(name);
  }

  return {
    encode: (name, value) => encodeWithWebCrypto(newest, subtle, serializer, limits, name, value),
    decode: async (name, cookie) => (await decodeWithKeyIndex(name, cookie)).value,
    decodeWithKeyIndex,
  };
}
