/**
 * What a store encoded lately, so that loading the very text it wrote skips the codec's decode: base64, the
 * HMAC and its comparison, and with a block key the decryption. Text this store signed is authentic by
 * construction, so finding it again, character for character, proves what the MAC check would: the same
 * name, the same bytes, the same key (the newest). Its age is still checked, against the same limit as the
 * codec's. Anything else (another text, another name, an older key, another process's write) misses and is
 * decoded as always, so a tampered or foreign value meets every check it met before.
 *
 * A request mostly loads what the same process saved at the previous request of that client (one app
 * server, or sticky sessions): the id cookie it set, the data it wrote. Bounded: at most
 * {@link MEMO_ENTRIES} entries (all dropped when full, as a server's working set turns over) of texts up to
 * {@link MEMO_TEXT_LIMIT} characters, and at most one text per owner (a session id): the newest, the one
 * its client sends back.
 */
export class EncodedMemo {
  readonly #maxAge: number;
  readonly #entries = new Map<string, MemoEntry>();
  /** owner → the key of its entry, for memos filed by text (see {@link EncodedMemo.remember}). */
  readonly #owners = new Map<string, string>();

  /** @param maxAge the codec's maxAge, in seconds: how old a remembered text may be when it is found (0 = any age) */
  constructor(maxAge: number) {
    this.#maxAge = maxAge;
  }

  /**
   * Remembers that `encoded` is what the codec made of `bytes` under `name` at `timestamp` (Unix seconds, read
   * no later than the codec read its clock), filed under `key`. With `owner`, the entry replaces the one
   * last filed for the same owner (a memo filed by the text itself, which changes from save to save).
   */
  remember(key: string, name: string, encoded: string, bytes: Uint8Array, timestamp: number, owner?: string): void {
    if (owner !== undefined) {
      const previous = this.#owners.get(owner);
      if (previous !== undefined && previous !== key) this.#entries.delete(previous);
    }
    if (encoded.length > MEMO_TEXT_LIMIT) {
      this.#entries.delete(key);
      if (owner !== undefined) this.#owners.delete(owner);
      return;
    }
    if (this.#entries.size >= MEMO_ENTRIES && !this.#entries.has(key)) {
      this.#entries.clear();
      this.#owners.clear();
    }
    this.#entries.set(key, { name, encoded, bytes, timestamp });
    if (owner !== undefined) this.#owners.set(owner, key);
  }

  /**
   * Returns the bytes of `encoded` when it is the text last remembered under `key`, for `name`, and no older
   * than maxAge at `now` (Unix seconds); else `undefined` (decode it).
   */
  recall(key: string, name: string, encoded: string, now: number): Uint8Array | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined || entry.encoded !== encoded || entry.name !== name) return undefined;
    // The codec's check: expired when the timestamp is older than now - maxAge.
    if (this.#maxAge !== 0 && entry.timestamp < Math.floor(now) - this.#maxAge) return undefined;
    return entry.bytes;
  }
}

interface MemoEntry {
  readonly name: string;
  readonly encoded: string;
  readonly bytes: Uint8Array;
  readonly timestamp: number;
}

/** How many texts one memo keeps. */
export const MEMO_ENTRIES = 1024;
/** The longest text a memo keeps, in characters: about 1,024 × 7 KB at most (the text and its bytes). */
export const MEMO_TEXT_LIMIT = 4096;
