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
 *
 * Where requests do not come back to the process that saved (app servers behind a load balancer without
 * sticky sessions), the memo would only cost: a memo filed by owner id sees it, as lookups that find the
 * key holding a text other than the one loaded (another process wrote since). When fewer than
 * {@link MEMO_MIN_HITS} of {@link MEMO_WINDOW} such lookups (hits and foreign texts; keys it never held do
 * not count, as after a restart) were hits, it rests: empty, remembering and finding nothing, for
 * {@link MEMO_REST} lookups, then tries again. A memo made to follow another rests when that one does.
 */
export class EncodedMemo {
  readonly #maxAge: number;
  readonly #leader: EncodedMemo | undefined;
  readonly #entries = new Map<string, MemoEntry>();
  /** owner → the key of its entry, for memos filed by text (see {@link EncodedMemo.remember}). */
  readonly #owners = new Map<string, string>();
  /** Lookups of a key it held, in this window, and how many of them found their text. */
  #judged = 0;
  #hits = 0;
  /** Lookups left to rest for. */
  #rest = 0;

  /**
   * @param maxAge the codec's maxAge, in seconds: how old a remembered text may be when it is found (0 = any age)
   * @param leader a memo whose rest this one shares (a memo filed by text cannot tell another writer's text from one it never held)
   */
  constructor(maxAge: number, leader?: EncodedMemo) {
    this.#maxAge = maxAge;
    this.#leader = leader;
  }

  /** Whether it rests now: neither remembers nor finds anything. */
  get resting(): boolean {
    return this.#leader === undefined ? this.#rest > 0 : this.#leader.resting;
  }

  /**
   * Remembers that `encoded` is what the codec made of `bytes` under `name` at `timestamp` (Unix seconds, read
   * no later than the codec read its clock), filed under `key`. With `owner`, the entry replaces the one
   * last filed for the same owner (a memo filed by the text itself, which changes from save to save).
   */
  remember(key: string, name: string, encoded: string, bytes: Uint8Array, timestamp: number, owner?: string): void {
    if (this.resting) {
      if (this.#entries.size > 0) this.#forget();
      return;
    }
    if (owner !== undefined) {
      const previous = this.#owners.get(owner);
      if (previous !== undefined && previous !== key) this.#entries.delete(previous);
    }
    if (encoded.length > MEMO_TEXT_LIMIT) {
      this.#entries.delete(key);
      if (owner !== undefined) this.#owners.delete(owner);
      return;
    }
    if (this.#entries.size >= MEMO_ENTRIES && !this.#entries.has(key)) this.#forget();
    this.#entries.set(key, { name, encoded, bytes, timestamp });
    if (owner !== undefined) this.#owners.set(owner, key);
  }

  /**
   * Returns the bytes of `encoded` when it is the text last remembered under `key`, for `name`, and no older
   * than maxAge at `now` (Unix seconds); else `undefined` (decode it).
   */
  recall(key: string, name: string, encoded: string, now: number): Uint8Array | undefined {
    if (this.#leader === undefined && this.#rest > 0) {
      this.#rest--;
      return undefined;
    }
    if (this.#leader?.resting === true) return undefined;
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    const found = entry.encoded === encoded && entry.name === name;
    if (this.#leader === undefined) this.#judge(found);
    if (!found) return undefined;
    // The codec's check: expired when the timestamp is older than now - maxAge.
    if (this.#maxAge !== 0 && entry.timestamp < Math.floor(now) - this.#maxAge) return undefined;
    return entry.bytes;
  }

  /** Counts a lookup of a key it held; at the end of a window, rests if too few found their text. */
  #judge(found: boolean): void {
    if (found) this.#hits++;
    if (++this.#judged < MEMO_WINDOW) return;
    if (this.#hits < MEMO_MIN_HITS) {
      this.#rest = MEMO_REST;
      this.#forget();
    }
    this.#judged = 0;
    this.#hits = 0;
  }

  #forget(): void {
    this.#entries.clear();
    this.#owners.clear();
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
/** How many lookups of keys a memo held it judges at a time (see {@link EncodedMemo}). */
export const MEMO_WINDOW = 64;
/** How many of a window's lookups must find their text for the memo to go on: one in eight. */
export const MEMO_MIN_HITS = 8;
/** How many lookups a memo rests for once a window found too few of its texts. */
export const MEMO_REST = 4096;
/** The longest text a memo keeps, in characters: about 1,024 × 7 KB at most (the text and its bytes). */
export const MEMO_TEXT_LIMIT = 4096;
