import { randomFillSync } from "node:crypto";

const POOL_SIZE = 4096;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let offset = POOL_SIZE;

/**
 * Returns `size` fresh cryptographically random bytes (a copy), drawn from a refilled pool so that small,
 * frequent requests (IVs, session ids) do not each pay for a system call. Each byte is handed out once.
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
