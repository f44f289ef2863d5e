import { nodeBuiltin } from "../internal/node-builtins.ts";
import { SessionError } from "../errors.ts";

const POOL_SIZE = 4096;
/** The most bytes `crypto.getRandomValues` fills in one call. */
const WEB_FILL_LIMIT = 65536;

const nodeCrypto = nodeBuiltin("node:crypto");
const NodeBuffer = nodeBuiltin("node:buffer")?.Buffer;
const webCrypto = (globalThis as { crypto?: Pick<Crypto, "getRandomValues"> }).crypto;

/**
 * Fills `bytes` with cryptographically random bytes: node:crypto's `randomFillSync` where the runtime has
 * it, WebCrypto's `getRandomValues` elsewhere; throws `unsupported_runtime` where there is neither.
 */
export const fillRandom: (bytes: Uint8Array) => void =
  nodeCrypto !== undefined
    ? (bytes) => {
        nodeCrypto.randomFillSync(bytes);
      }
    : typeof webCrypto?.getRandomValues === "function"
      ? (bytes) => {
          for (let start = 0; start < bytes.length; start += WEB_FILL_LIMIT) {
            webCrypto.getRandomValues(bytes.subarray(start, Math.min(bytes.length, start + WEB_FILL_LIMIT)));
          }
        }
      : () => {
          throw new SessionError(
            "unsupported_runtime",
            "this runtime has neither node:crypto nor crypto.getRandomValues, so no secure random bytes for keys, IVs or session ids; run on Node, Bun, Deno or a runtime with WebCrypto.",
          );
        };

const pool = new Uint8Array(POOL_SIZE);
/** Where the next unused byte is: the pool starts empty and is filled on first use. */
let offset = POOL_SIZE;

/** Empties the pool, so the next draw refills it from the system. */
function resetPool(): void {
  pool.fill(0);
  offset = POOL_SIZE;
}

// A V8 startup snapshot (`node --build-snapshot`) captures module state: bytes left in the pool by a draw made
// while the snapshot was built would be handed out again, identically, by every process started from it (the
// same IVs, reusing a CTR keystream; the same session ids). Empty the pool when a process is deserialized.
// Guarded: runtimes without the API (Bun, Deno, workers, older Node) have no snapshots to worry about.
try {
  const snapshot = nodeBuiltin("node:v8")?.startupSnapshot;
  if (snapshot?.isBuildingSnapshot()) snapshot.addDeserializeCallback(resetPool);
} catch {
  // no startup snapshot support
}

/**
 * Returns `size` fresh cryptographically random bytes (a copy), drawn from a refilled pool so that small,
 * frequent requests (IVs, session ids) do not each pay for a system call. Each byte is handed out once, in
 * one process: a process started from a V8 startup snapshot starts with an empty pool.
 */
export function randomBytesFromPool(size: number): Uint8Array<ArrayBuffer> {
  return draw(size, (n) => new Uint8Array(n));
}

/**
 * Like {@link randomBytesFromPool}, for bytes that are sent in the clear anyway (an IV): where Node's
 * Buffer is at hand they come in a Buffer of its shared allocation pool, off V8's heap. node:crypto would
 * otherwise copy a small plain Uint8Array out of the heap first (some 700 instructions and a malloc an IV).
 * Never for secrets (session ids, tokens): other Buffers of the pool share its memory.
 */
export function publicRandomBytes(size: number): Uint8Array<ArrayBuffer> {
  return draw(size, newPublicBytes);
}

const newPublicBytes: (size: number) => Uint8Array<ArrayBuffer> =
  NodeBuffer !== undefined ? (size) => NodeBuffer.allocUnsafe(size) as Uint8Array<ArrayBuffer> : (size) => new Uint8Array(size);

function draw<B extends Uint8Array>(size: number, allocate: (size: number) => B): B {
  if (size > POOL_SIZE / 4) {
    const bytes = allocate(size);
    fillRandom(bytes);
    return bytes;
  }
  if (offset + size > POOL_SIZE) {
    fillRandom(pool);
    offset = 0;
  }
  const out = allocate(size);
  out.set(pool.subarray(offset, offset + size));
  pool.fill(0, offset, offset + size);
  offset += size;
  return out;
}
