// node:crypto and Buffer for the node:crypto codec (node-secure-cookie.ts, node-hmac.ts, node-base64.ts),
// taken through process.getBuiltinModule: those modules load everywhere, and where the runtime has no
// node:crypto the names below are stand-ins that throw `unsupported_runtime` when used.
import type { Buffer as NodeBuffer } from "node:buffer";
import { nodeBuiltin, orUnsupported } from "../internal/node-builtins.ts";

const nodeCrypto = nodeBuiltin("node:crypto");
const nodeBuffer = nodeBuiltin("node:buffer")?.Buffer;

/** True where the runtime has node:crypto and Buffer (Node ≥ 20.16, Bun, Deno): `createCodec` works there. */
export const hasNodeCrypto = nodeCrypto !== undefined && nodeBuffer !== undefined;

/** What the node:crypto codec says where it cannot run. */
export const NODE_CODEC_HINT =
  "createCodec needs node:crypto, which this runtime does not have (Node ≥ 20.16, Bun and Deno do); use createWebCryptoCodec from typed-sessions/codec here (the stores pick WebCrypto by themselves).";

/** node:crypto, or a stand-in that throws `unsupported_runtime`. */
export const crypto = orUnsupported(nodeCrypto, NODE_CODEC_HINT);

/** Node's Buffer, or a stand-in that throws `unsupported_runtime`. */
export const Buffer: typeof NodeBuffer = orUnsupported(nodeBuffer, NODE_CODEC_HINT);

/** Node's one-shot digest (Node ≥ 20.12), without the per-call setup of `createHmac`; undefined before. */
export const oneShotHash = (nodeCrypto as { hash?: (algorithm: string, data: Uint8Array, outputEncoding: "buffer") => NodeBuffer } | undefined)?.hash;
