import { randomBytes } from "node:crypto";
import { SessionError } from "../errors.ts";

/** A key as given by the user: raw bytes, or a string taken as its UTF-8 bytes. */
export type KeyInput = Uint8Array | string;

/** One hash key (HMAC-SHA256) and an optional block key (AES-CTR) that sign and encrypt together. */
export interface KeyPair {
  /** Signs cookies with HMAC-SHA256. Any non-empty length; 32 or 64 random bytes recommended. */
  hashKey: KeyInput;
  /** Encrypts cookies with AES-CTR when set: 16, 24 or 32 bytes select AES-128, -192 or -256. */
  blockKey?: KeyInput | null | undefined;
}

/**
 * Generates `bytes` cryptographically random bytes: use it to make hash keys (32 or 64 bytes) and block keys
 * (16, 24 or 32 bytes). Store them outside the code, e.g. hex in an environment variable.
 * @example const hashKey = generateRandomKey(64);
 */
export function generateRandomKey(bytes: number): Uint8Array {
  if (!Number.isInteger(bytes) || bytes <= 0) {
    throw new SessionError("invalid_option", `generateRandomKey needs a positive whole number of bytes, got ${bytes}.`);
  }
  return randomBytes(bytes);
}
