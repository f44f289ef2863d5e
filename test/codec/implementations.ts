// The two codecs, behind one asynchronous shape, so the vector and property suites run on both.
import { createCodec, createWebCryptoCodec, type CodecOptions, type DecodeResult } from "../../src/codec.ts";

/** A codec under test: node:crypto's answers wrapped in promises, WebCrypto's as they are. */
export interface CodecUnderTest {
  encode(name: string, value: unknown): Promise<string>;
  decode(name: string, cookie: string): Promise<unknown>;
  decodeWithKeyIndex(name: string, cookie: string): Promise<DecodeResult>;
}

function nodeCodec(options: CodecOptions): CodecUnderTest {
  const codec = createCodec(options);
  return {
    encode: async (name, value) => codec.encode(name, value),
    decode: async (name, cookie) => codec.decode(name, cookie),
    decodeWithKeyIndex: async (name, cookie) => codec.decodeWithKeyIndex(name, cookie),
  };
}

/** Both implementations, by name: `createCodec` (node:crypto) and `createWebCryptoCodec`. */
export const IMPLEMENTATIONS = [
  ["node:crypto", nodeCodec],
  ["WebCrypto", createWebCryptoCodec],
] as const satisfies readonly (readonly [string, (options: CodecOptions) => CodecUnderTest])[];

/** Runs `run` and returns what it rejected with, or `undefined` when it resolved. */
export async function rejectionOf(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
    return undefined;
  } catch (err) {
    return err ?? new Error("rejected with nothing");
  }
}
