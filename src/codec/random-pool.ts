import { randomFillSync } from "node:crypto";
import * as v8 from "node:v8";

const POOL_SIZE = 4096;
const pool = Buffer.allocUnsafe(POOL_SIZE);
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
// Guarded: runtimes without the API (Bun, Deno, older Node) have no snapshots to worry about.
try {
  const snapshot = (v8 as { startupSnapshot?: typeof v8.startupSnapshot }).startupSnapshot;
  if (snapshot?.isBuildingSnapshot()) snapshot.addDeserializeCallback(resetPool);
} catch {
  // no startup snapshot support
}

/**
 * Returns `size` fresh cryptographically random bytes (a copy), drawn from a refilled pool so that small,
 * frequent requests (IVs, session ids) do not each pay for a system call. Each byte is handed out once, in
 * one process: a process started from a V8 startup snapshot starts with an empty pool.
 */
export function randomBytesFromPool(size: number): Buffer {
  if (size > POOL_SIZE / 4) return randomFillSync(Buffer.allocUnsafe(size));
  if (offset + size > POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  const out = Buffer.allocUnsafe(size);
  pool.copy(out, 0, offset, offset + size);
  pool.fill(0, offset, offset + size);
  offset += size;
  return out;
}
