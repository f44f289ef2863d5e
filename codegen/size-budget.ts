import { formatSetCookie } from "../src/http/cookie-header.ts";
import { type CookieOptions, resolveCookieOptions } from "../src/http/cookie-options.ts";
import { MAX_COOKIE_AGE } from "../src/internal/time.ts";
import { type CookieChunking, chunkLayout } from "../src/stores/cookie-chunks.ts";
import type { SessionDefinition } from "../src/typed/define-session.ts";
import { planOf, sessionModel, typeOf } from "./model.ts";

/**
 * The worst-case size of a session kept in a cookie (CookieStore), estimated from its schema at gen time.
 *
 * Every value is taken at its largest: strings at their `.max()` in the characters JSON writes longest
 * (`\u0001` is six bytes), arrays, sets and maps full, numbers at their longest digits, optional values
 * present, the CSRF token set, Dates that may be shared (superjson then lists them in
 * `referentialEqualities`). Then come the payload header, the codec (AES-CTR IV, base64, timestamp, MAC,
 * base64 again) and the `Set-Cookie` attributes, as CookieStore writes them and the lifecycle measures them.
 */

/** Browsers keep about this many bytes of one cookie: CookieStore's default `maxLength`, checked on the whole `Set-Cookie` header. */
export const COOKIE_LIMIT = 4096;

/** The digits of a Unix timestamp in seconds (the payload header's and the codec's) until the year 2286. */
const TIMESTAMP_DIGITS = 10;
/** AES-CTR's random IV, prepended to the ciphertext. */
const IV_LENGTH = 16;
/** HMAC-SHA256. */
const MAC_LENGTH = 32;
/** What `csrfToken` stores: 32 random bytes, base64url without padding. */
const CSRF_TOKEN_LENGTH = 43;

/** The two sizes that matter for one way of encoding: the cookie's value and its whole `Set-Cookie` header. */
export interface EncodedSize {
  /** The cookie value (what the browser sends back), in bytes. */
  readonly value: number;
  /** The whole `Set-Cookie` header: `name=value` and the attributes; what the 4096-byte limit applies to. */
  readonly header: number;
}

/** One worst case, through both codecs. */
export interface CookieSize {
  /** The payload the codec signs: the `ts1 …` header line and the serialized values, in bytes. */
  readonly payload: number;
  /** With a block key (AES-CTR), CookieStore's default. */
  readonly aes: EncodedSize;
  /** `signedOnly: true`: signed, not encrypted. */
  readonly signed: EncodedSize;
}

/** The estimate of one session definition. */
export interface SizeEstimate {
  /** The export's name in the schema module. */
  readonly exportName: string;
  /** The session (cookie) name. */
  readonly sessionName: string;
  /** The serializer the generated module uses. */
  readonly serializer: "json" | "superjson";
  /** Paths of data fields with no bound (`name`, `cart`, `cart[].sku`); the estimate is unbounded when any. */
  readonly unbounded: readonly string[];
  /** Paths in the flash schema with no bound (`flash.text`; `flash` for untyped flashes). */
  readonly flashUnbounded: readonly string[];
  /** The length of the `Set-Cookie` attributes counted (`; Path=/; Expires=…`), from the definition's cookie options. */
  readonly attributes: number;
  /** Without flash messages (the CSRF token counted); `undefined` when unbounded. */
  readonly withoutFlash: CookieSize | undefined;
  /** With one flash message; `undefined` when the data or the flashes are unbounded. */
  readonly withFlash: CookieSize | undefined;
  /** What each further flash message adds to the header at most (AES; the larger); `undefined` when unbounded. */
  readonly perFlash: number | undefined;
}

// ---------------------------------------------------------------------------------------------------------
// The codec's arithmetic (src/codec/secure-cookie.ts, src/stores/payload.ts)

/** The length of padded base64 for `bytes` bytes. */
export function base64Length(bytes: number): number {
  return 4 * Math.ceil(bytes / 3);
}

/**
 * The longest `ts1 <createdAt> <accessedAt>[ <maxAge>][ v<version>]\n` header: ten-digit timestamps (accessedAt
 * is written as `+<seconds after createdAt>` only where that is shorter), a maxAge of 400 days (written when the session's differs from the definition's), the version when not 1.
 */
export function payloadHeaderLength(version: number): number {
  const versionText = version === 1 ? "" : ` v${version}`;
  return `ts1 ${"9".repeat(TIMESTAMP_DIGITS)} ${"9".repeat(TIMESTAMP_DIGITS)} ${MAX_COOKIE_AGE}${versionText}\n`.length;
}

/**
 * The length of the cookie value the codec writes for a payload of `payload` bytes:
 * base64(`timestamp|base64([iv] payload)|mac`), as gorilla/securecookie does.
 */
export function cookieValueLength(payload: number, encrypted: boolean): number {
  const inner = base64Length((encrypted ? IV_LENGTH : 0) + payload);
  return base64Length(TIMESTAMP_DIGITS + 1 + inner + 1 + MAC_LENGTH);
}

/**
 * The length of the attributes CookieStore writes after `name=value` with the definition's cookie options
 * over the defaults: `maxAge` taken at 400 days (a handler may set it; `Max-Age` and `Expires` then both
 * appear) and `secure: "auto"` as `Secure`. A store's own options (a `Domain`, a longer `Path`) add theirs.
 */
export function attributesLength(cookie: Readonly<Partial<CookieOptions>>): number {
  let options: CookieOptions;
  try {
    options = resolveCookieOptions(cookie);
  } catch {
    options = resolveCookieOptions(undefined);
  }
  const worst = { ...options, maxAge: MAX_COOKIE_AGE, secure: options.secure !== false };
  return formatSetCookie("x", "", worst, 0).length - "x=".length;
}

function encodedSize(payload: number, name: string, attributes: number): CookieSize {
  const size = (encrypted: boolean): EncodedSize => {
    const value = cookieValueLength(payload, encrypted);
    return { value, header: Buffer.byteLength(name) + 1 + value + attributes };
  };
  return { payload, aes: size(true), signed: size(false) };
}

// ---------------------------------------------------------------------------------------------------------
// JSON text lengths

/** The UTF-8 length of `JSON.stringify(text)`, quotes included. */
function jsonStringLength(text: string): number {
  return Buffer.byteLength(JSON.stringify(text));
}

/** superjson's path escaping (src/serializers/plan-serializer.ts `escapeKey`). */
function escapeKey(key: string): string {
  return key.replace(/\\/g, "\\\\").replace(/\./g, "\\.");
}

/** The length of a path segment for `key` inside a JSON string (escaped for superjson, then for JSON). */
function pathSegmentLength(key: string): number {
  return jsonStringLength(escapeKey(key)) - 2;
}

/** The length of path `parent.child` given both lengths (an empty parent gives the child alone, as superjson joins). */
function joinPath(parent: number, child: number): number {
  return parent === 0 ? child : parent + 1 + child;
}

/**
 * The most bytes one code point takes in JSON text, per range of code points: control characters escape to
 * `\u00XX` (six) but for `\b\t\n\f\r` (two), `"` and `\` escape to two, lone surrogates to `\udXXX` (six).
 */
const CODE_POINT_COSTS: readonly (readonly [number, number, number])[] = [
  [0x00, 0x07, 6],
  [0x08, 0x0a, 2],
  [0x0b, 0x0b, 6],
  [0x0c, 0x0d, 2],
  [0x0e, 0x1f, 6],
  [0x20, 0x21, 1],
  [0x22, 0x22, 2],
  [0x23, 0x5b, 1],
  [0x5c, 0x5c, 2],
  [0x5d, 0x7f, 1],
  [0x80, 0x7ff, 2],
  [0x800, 0xd7ff, 3],
  [0xd800, 0xdfff, 6],
  [0xe000, 0xffff, 3],
  [0x10000, 0x10ffff, 4],
];

/** The worst JSON bytes per code point of any string. */
const WORST_PER_CODE_POINT = 6;

/** The most JSON bytes a code point in `[lo, hi]` takes. */
function rangeCost(lo: number, hi: number): number {
  let most = 0;
  for (const [from, to, cost] of CODE_POINT_COSTS) if (from <= hi && to >= lo && cost > most) most = cost;
  return most;
}

// ---------------------------------------------------------------------------------------------------------
// Patterns: what an anchored regular expression lets a string hold

/** What a pattern allows: the most JSON bytes of a match (quotes excluded) and per code point. */
interface PatternBound {
  readonly bytes: number;
  readonly perCodePoint: number;
}

class Unsupported extends Error {}

/**
 * Reads the bound a string pattern (`z.string().regex()`, `z.uuid()`, `z.email()`…) puts on a string, or
 * `undefined` when the pattern is not anchored at both ends or uses syntax this reader does not know (then
 * the pattern bounds nothing). Lookarounds are skipped: they only narrow what matches.
 */
export function patternBound(pattern: RegExp): PatternBound | undefined {
  if (/[mgyv]/.test(pattern.flags)) return undefined;
  try {
    return new PatternReader(pattern.source, pattern.flags).read();
  } catch (err) {
    if (err instanceof Unsupported) return undefined;
    throw err;
  }
}

interface Piece {
  bytes: number;
  per: number;
}

/** Unicode properties (`\p{…}`) whose code points are all printable: never a control character or a lone surrogate. */
const PRINTABLE_PROPERTIES = new Set(
  [
    "L Lu Ll Lt Lm Lo LC M Mn Mc Me N Nd Nl No P Pc Pd Ps Pe Pi Pf Po S Sm Sc Sk So Zs",
    "Letter Cased_Letter Uppercase_Letter Lowercase_Letter Titlecase_Letter Modifier_Letter Other_Letter",
    "Mark Nonspacing_Mark Spacing_Mark Enclosing_Mark Number Decimal_Number Letter_Number Other_Number",
    "Punctuation Connector_Punctuation Dash_Punctuation Open_Punctuation Close_Punctuation Initial_Punctuation",
    "Final_Punctuation Other_Punctuation Symbol Math_Symbol Currency_Symbol Modifier_Symbol Other_Symbol",
    "Space_Separator Alphabetic Emoji Emoji_Presentation Extended_Pictographic Regional_Indicator",
  ]
    .join(" ")
    .split(" "),
);

const NOTHING: Piece = { bytes: 0, per: 0 };
const ANY: Piece = { bytes: WORST_PER_CODE_POINT, per: WORST_PER_CODE_POINT };
const DIGIT: Piece = { bytes: 1, per: 1 };

class PatternReader {
  #at = 0;
  readonly #unicode: boolean;
  readonly #ignoreCase: boolean;

  constructor(
    readonly source: string,
    flags: string,
  ) {
    this.#unicode = flags.includes("u");
    this.#ignoreCase = flags.includes("i");
  }

  read(): PatternBound {
    const alternatives = this.#disjunction();
    if (this.#at !== this.source.length) throw new Unsupported();
    let bytes = 0;
    let per = 0;
    for (const terms of alternatives) {
      // Each alternative must run from ^ to $, or a match could sit inside a longer string.
      if (terms[0] !== "^" || terms.at(-1) !== "$") throw new Unsupported();
      const piece = sequence(terms);
      bytes = Math.max(bytes, piece.bytes);
      per = Math.max(per, piece.per);
    }
    return { bytes, perCodePoint: per };
  }

  #peek(): string | undefined {
    return this.source[this.#at];
  }

  /** Alternatives, each a list of terms (a piece, or "^" / "$" for the anchors). */
  #disjunction(): (Piece | "^" | "$")[][] {
    const alternatives: (Piece | "^" | "$")[][] = [[]];
    while (this.#at < this.source.length) {
      const c = this.#peek();
      if (c === ")") break;
      if (c === "|") {
        this.#at++;
        alternatives.push([]);
        continue;
      }
      (alternatives.at(-1) as (Piece | "^" | "$")[]).push(this.#term());
    }
    return alternatives;
  }

  #term(): Piece | "^" | "$" {
    const c = this.#peek();
    if (c === "^" || c === "$") {
      this.#at++;
      return c;
    }
    if (this.source.startsWith("\\b", this.#at) || this.source.startsWith("\\B", this.#at)) {
      this.#at += 2;
      return NOTHING;
    }
    if (this.source.startsWith("(?=", this.#at) || this.source.startsWith("(?!", this.#at)) return this.#lookaround(3);
    if (this.source.startsWith("(?<=", this.#at) || this.source.startsWith("(?<!", this.#at)) return this.#lookaround(4);
    const atom = this.#atom();
    const times = this.#quantifier();
    return { bytes: atom.bytes === 0 ? 0 : atom.bytes * times, per: atom.per };
  }

  #lookaround(open: number): Piece {
    this.#at += open;
    this.#disjunction();
    if (this.#peek() !== ")") throw new Unsupported();
    this.#at++;
    if ("*+?{".includes(this.#peek() ?? "x")) throw new Unsupported();
    return NOTHING;
  }

  /** The most repetitions of the quantifier that follows (1 when none). */
  #quantifier(): number {
    const c = this.#peek();
    let times = 1;
    if (c === "*" || c === "+") {
      this.#at++;
      times = Infinity;
    } else if (c === "?") {
      this.#at++;
    } else if (c === "{") {
      const match = /^\{(\d+)(,(\d*))?\}/.exec(this.source.slice(this.#at));
      if (match === null) {
        if (this.#unicode) throw new Unsupported();
        return 1; // a literal "{" outside unicode mode: read by #atom next time
      }
      this.#at += match[0].length;
      times = match[2] === undefined ? Number(match[1]) : match[3] === "" ? Infinity : Number(match[3]);
    } else {
      return 1;
    }
    if (this.#peek() === "?") this.#at++; // lazy: the same bound
    return times;
  }

  #atom(): Piece {
    const c = this.#peek();
    if (c === undefined) throw new Unsupported();
    if (c === "(") {
      this.#at++;
      if (this.source.startsWith("?:", this.#at)) this.#at += 2;
      else if (this.source.startsWith("?<", this.#at)) {
        const end = this.source.indexOf(">", this.#at);
        if (end < 0) throw new Unsupported();
        this.#at = end + 1;
      } else if (this.#peek() === "?") throw new Unsupported(); // modifiers (?i:…) and the like
      const inner = this.#disjunction();
      if (this.#peek() !== ")") throw new Unsupported();
      this.#at++;
      let bytes = 0;
      let per = 0;
      for (const terms of inner) {
        if (terms.includes("^") || terms.includes("$")) throw new Unsupported();
        const piece = sequence(terms);
        bytes = Math.max(bytes, piece.bytes);
        per = Math.max(per, piece.per);
      }
      return { bytes, per };
    }
    if (c === "[") return this.#characterClass();
    if (c === ".") {
      this.#at++;
      return ANY;
    }
    if (c === "\\") return this.#escape(false);
    if ("*+?)".includes(c)) throw new Unsupported();
    return this.#literal(this.#codePointHere());
  }

  #codePointHere(): number {
    const cp = this.#unicode ? (this.source.codePointAt(this.#at) as number) : this.source.charCodeAt(this.#at);
    this.#at += cp > 0xffff ? 2 : 1;
    return cp;
  }

  /** One code point (or range) as a piece, widened when case-insensitive matching may reach other code points. */
  #range(lo: number, hi: number): Piece {
    let cost = rangeCost(lo, hi);
    if (this.#ignoreCase) {
      // Case folding may reach other code points: outside unicode mode it never leaves or enters ASCII;
      // in unicode mode "k" and "s" also fold to K (U+212A) and ſ (U+017F).
      if (hi >= 0x80) cost = WORST_PER_CODE_POINT;
      else if (this.#unicode && lo <= 0x7a && hi >= 0x41) cost = Math.max(cost, 3);
    }
    return { bytes: cost, per: cost };
  }

  #literal(cp: number): Piece {
    return this.#range(cp, cp);
  }

  /** An escape after "\\": a class escape, a character, or (outside a class) an unsupported backreference. */
  #escape(inClass: boolean): Piece & { cp?: number } {
    this.#at++; // the backslash
    const c = this.#peek();
    if (c === undefined) throw new Unsupported();
    this.#at++;
    switch (c) {
      case "d":
        return DIGIT;
      case "w":
        // [0-9A-Za-z_]; with /iu, "k" and "s" also match K (U+212A) and ſ (U+017F).
        return this.#ignoreCase && this.#unicode ? { bytes: 3, per: 3 } : { bytes: 1, per: 1 };
      case "p":
      case "P": {
        if (!this.#unicode) return this.#char(c.charCodeAt(0));
        const end = this.source.indexOf("}", this.#at);
        if (this.#peek() !== "{" || end < 0) throw new Unsupported();
        const property = this.source.slice(this.#at + 1, end);
        this.#at = end + 1;
        // Letters, marks, numbers, punctuation, symbols, space separators, emoji: no control character or
        // lone surrogate among them, so at most four bytes (an astral code point).
        return c === "p" && PRINTABLE_PROPERTIES.has(property.replace(/^(General_Category|gc)=/, "")) ? { bytes: 4, per: 4 } : ANY;
      }
      case "D":
      case "W":
      case "s":
      case "S":
        return ANY; // \s includes \v (six bytes); the others reach anything
      case "t":
        return this.#char(0x09);
      case "n":
        return this.#char(0x0a);
      case "v":
        return this.#char(0x0b);
      case "f":
        return this.#char(0x0c);
      case "r":
        return this.#char(0x0d);
      case "b":
        if (!inClass) throw new Unsupported();
        return this.#char(0x08);
      case "0":
        if (/[0-9]/.test(this.#peek() ?? "")) throw new Unsupported();
        return this.#char(0);
      case "c": {
        const letter = this.#peek();
        if (letter === undefined || !/[A-Za-z]/.test(letter)) throw new Unsupported();
        this.#at++;
        return this.#char(letter.charCodeAt(0) % 32);
      }
      case "x": {
        const hex = /^[0-9a-fA-F]{2}/.exec(this.source.slice(this.#at));
        if (hex === null) throw new Unsupported();
        this.#at += 2;
        return this.#char(parseInt(hex[0], 16));
      }
      case "u": {
        const braced = this.#unicode ? /^\{([0-9a-fA-F]{1,6})\}/.exec(this.source.slice(this.#at)) : null;
        if (braced !== null) {
          this.#at += braced[0].length;
          return this.#char(parseInt(braced[1] as string, 16));
        }
        const hex = /^[0-9a-fA-F]{4}/.exec(this.source.slice(this.#at));
        if (hex === null) throw new Unsupported();
        this.#at += 4;
        return this.#char(parseInt(hex[0], 16));
      }
      default:
        if (/[1-9k]/.test(c)) throw new Unsupported(); // backreferences
        if (/[A-Za-z]/.test(c)) throw new Unsupported();
        return this.#char(c.charCodeAt(0)); // an identity escape: \. \- \/ \\ …
    }
  }

  #char(cp: number): Piece & { cp: number } {
    return { ...this.#literal(cp), cp };
  }

  #characterClass(): Piece {
    this.#at++; // [
    if (this.#peek() === "^") {
      // A negated class reaches almost everything: read past it.
      this.#at++;
      this.#classItems();
      return ANY;
    }
    return this.#classItems();
  }

  #classItems(): Piece {
    let per = 0;
    while (this.#peek() !== "]") {
      if (this.#peek() === undefined) throw new Unsupported();
      const from = this.#classAtom();
      if (this.#peek() === "-" && this.source[this.#at + 1] !== "]" && from.cp !== undefined) {
        this.#at++;
        const to = this.#classAtom();
        if (to.cp === undefined) throw new Unsupported();
        per = Math.max(per, this.#range(from.cp, to.cp).per);
      } else {
        per = Math.max(per, from.per);
      }
    }
    this.#at++; // ]
    return { bytes: per, per };
  }

  #classAtom(): Piece & { cp?: number } {
    const c = this.#peek();
    if (c === "\\") return this.#escape(true);
    if (c === "[" && this.#unicode) throw new Unsupported();
    return this.#char(this.#codePointHere());
  }
}

function sequence(terms: readonly (Piece | "^" | "$")[]): Piece {
  let bytes = 0;
  let per = 0;
  for (const term of terms) {
    if (typeof term === "string") continue;
    bytes += term.bytes;
    per = Math.max(per, term.per);
  }
  return { bytes, per };
}

// ---------------------------------------------------------------------------------------------------------
// Walking a Zod 4 schema

interface ZodNode {
  readonly _zod: {
    readonly def: { readonly type: string; readonly checks?: readonly ZodCheck[] | undefined } & Record<string, unknown>;
    readonly bag?: Record<string, unknown> | undefined;
  };
}

interface ZodCheck {
  readonly _zod: { readonly def: { readonly check?: string | undefined } & Record<string, unknown> };
}

/**
 * The worst case of one value: `bytes` counts its JSON text and, under superjson, the `meta.values`
 * entries it adds (each with its comma); `annotated` tells whether it may add one. `shared` counts its
 * values superjson may list in `referentialEqualities` (Dates, which Zod passes through, and BigInts, equal
 * ones counting as shared), and `refs` the bytes their paths take there (written once two are shared).
 */
interface Cost {
  readonly bytes: number;
  readonly annotated: boolean;
  readonly shared: number;
  readonly refs: number;
}

/** Where a value sits: the dotted path reported for it, and the lengths of its superjson paths. */
interface At {
  /** The path reported when the value is unbounded: `cart[].sku`. */
  readonly where: string;
  /** Its path's length in the `meta.values` object it is annotated in (inside a Map or Set: relative to it). */
  readonly rel: number;
  /** Its path's length from the root (`referentialEqualities` paths). */
  readonly abs: number;
  /** Inside a part the plan serializer leaves to superjson's generic walk (where -0 is kept and annotated). */
  readonly generic: boolean;
}

interface Walk {
  /** The session's serializer writes superjson's format. */
  readonly superjson: boolean;
  /** The unbounded paths found so far. */
  unbounded: Set<string>;
}

const FREE: Cost = { bytes: 0, annotated: false, shared: 0, refs: 0 };

function plain(bytes: number): Cost {
  return { bytes, annotated: false, shared: 0, refs: 0 };
}

/** A value superjson annotates with `tree` (`["Date"]`…) at its path, plus `bytes` of JSON text. */
function annotatedCost(bytes: number, at: At, tree: string): Cost {
  return { bytes: bytes + entry(at.rel, tree.length), annotated: true, shared: 0, refs: 0 };
}

function unboundedAt(walk: Walk, at: At): Cost {
  walk.unbounded.add(at.where === "" ? "(root)" : at.where);
  return plain(Infinity);
}

/** The bytes of a `"path":tree,` entry in `meta.values`. */
function entry(rel: number, tree: number): number {
  return 2 + rel + 1 + tree + 1;
}

/**
 * A value superjson may list as shared: in `referentialEqualities`, a group of k paths
 * (`"a":["b","c"],`) takes at most Σ(path + 4) bytes, its comma included.
 */
function sharable(cost: Cost, at: At): Cost {
  return { ...cost, shared: 1, refs: at.abs + 4 };
}

/** The larger of two alternatives (each part taken at its largest: an upper bound). */
function larger(a: Cost, b: Cost): Cost {
  return {
    bytes: Math.max(a.bytes, b.bytes),
    annotated: a.annotated || b.annotated,
    shared: Math.max(a.shared, b.shared),
    refs: Math.max(a.refs, b.refs),
  };
}

function sum(costs: readonly Cost[], extra: number): Cost {
  let bytes = extra;
  let annotated = false;
  let count = 0;
  let refs = 0;
  for (const cost of costs) {
    bytes += cost.bytes;
    annotated ||= cost.annotated;
    count += cost.shared;
    refs += cost.refs;
  }
  return { bytes, annotated, shared: count, refs };
}

function scale(cost: Cost, times: number): Cost {
  return { bytes: cost.bytes * times, annotated: cost.annotated, shared: cost.shared * times, refs: cost.refs * times };
}

function checksOf(node: ZodNode): ZodCheck[] {
  const def = node._zod.def;
  // A schema that is itself a check (z.uuid(), z.int()) runs it before its other checks.
  const own = typeof def["check"] === "string" ? [node as unknown as ZodCheck] : [];
  return [...own, ...(def.checks ?? [])];
}

/** The checks whose bounds hold for the output: those after the last `overwrite` (trim, toLowerCase…). */
function lastingChecks(node: ZodNode): ZodCheck[] {
  const checks = checksOf(node);
  let start = 0;
  checks.forEach((check, i) => {
    if (check._zod.def.check === "overwrite") start = i + 1;
  });
  return checks.slice(start);
}

/** The bounds Zod keeps in `_zod.bag` (versions that fill it), unless an `overwrite` may have changed the value after them. */
function bagOf(node: ZodNode): Record<string, unknown> {
  if (checksOf(node).some((check) => check._zod.def.check === "overwrite")) return {};
  return node._zod.bag ?? {};
}

function bagNumber(node: ZodNode, key: string): number | undefined {
  const value = bagOf(node)[key];
  return typeof value === "number" ? value : undefined;
}

/** The most elements (characters for strings, code points in Zod ≥ 4.6) a length or size check allows. */
function maxCount(node: ZodNode, kind: "length" | "size"): number {
  let most = bagNumber(node, "maximum") ?? Infinity;
  for (const check of lastingChecks(node)) {
    const def = check._zod.def;
    if (def.check === `max_${kind}` && typeof def["maximum"] === "number") most = Math.min(most, def["maximum"]);
    if (def.check === `${kind}_equals` && typeof def[kind] === "number") most = Math.min(most, def[kind]);
  }
  return most;
}

/** The most JSON bytes of a string schema's values, quotes excluded (Infinity when unbounded). */
function stringBytes(node: ZodNode): number {
  let bytes = Infinity;
  let per = WORST_PER_CODE_POINT;
  const patterns: RegExp[] = [];
  for (const check of lastingChecks(node)) {
    const pattern = check._zod.def["pattern"];
    if (check._zod.def.check === "string_format" && pattern instanceof RegExp) patterns.push(pattern);
  }
  const bagged = bagOf(node)["patterns"];
  if (bagged instanceof Set) for (const p of bagged) if (p instanceof RegExp) patterns.push(p);
  for (const pattern of patterns) {
    const bound = patternBound(pattern);
    if (bound === undefined) continue;
    bytes = Math.min(bytes, bound.bytes);
    per = Math.min(per, bound.perCodePoint);
  }
  const count = maxCount(node, "length");
  return count === Infinity ? bytes : Math.min(bytes, count * per);
}

/** The lowest and highest value a number, BigInt or Date schema's checks allow (Dates in milliseconds). */
function numericRange<T extends number | bigint>(
  node: ZodNode,
  kind: "number" | "bigint" | "date",
  formats: Readonly<Record<string, readonly [T, T]>>,
  unbounded: readonly [T | undefined, T | undefined],
): [T | undefined, T | undefined] {
  let [lo, hi] = unbounded;
  const asValue = (v: unknown): T | undefined => {
    if (kind === "date") return v instanceof Date ? (v.getTime() as T) : typeof v === "number" ? (v as T) : undefined;
    return typeof v === kind ? (v as T) : undefined;
  };
  const atLeast = (v: T | undefined) => {
    if (v !== undefined && (lo === undefined || v > lo)) lo = v;
  };
  const atMost = (v: T | undefined) => {
    if (v !== undefined && (hi === undefined || v < hi)) hi = v;
  };
  for (const check of lastingChecks(node)) {
    const def = check._zod.def;
    if (def.check === "greater_than") atLeast(asValue(def["value"]));
    if (def.check === "less_than") atMost(asValue(def["value"]));
    const format = def["format"];
    if ((def.check === "number_format" || def.check === "bigint_format") && typeof format === "string") {
      atLeast(formats[format]?.[0]);
      atMost(formats[format]?.[1]);
    }
  }
  atLeast(asValue(bagOf(node)["minimum"]));
  atMost(asValue(bagOf(node)["maximum"]));
  return [lo, hi];
}

const NUMBER_FORMATS: Record<string, readonly [number, number]> = {
  safeint: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
  float32: [-3.4028234663852886e38, 3.4028234663852886e38],
  float64: [-Number.MAX_VALUE, Number.MAX_VALUE],
};
const INT_FORMATS = new Set(["safeint", "int32", "uint32"]);
const BIGINT_FORMATS: Record<string, readonly [bigint, bigint]> = {
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
};
/** The longest a JavaScript number prints: `-1.2345678901234567e-100`. */
const LONGEST_NUMBER = 24;

/** The longest JSON text of a number schema's values, and whether -0 is among them. */
function numberText(node: ZodNode): { length: number; negativeZero: boolean } {
  const [lo = -Infinity, hi = Infinity] = numericRange(node, "number", NUMBER_FORMATS, [-Infinity, Infinity]);
  const integer =
    lastingChecks(node).some((check) => check._zod.def.check === "number_format" && INT_FORMATS.has(String(check._zod.def["format"]))) ||
    INT_FORMATS.has(String(bagOf(node)["format"]));
  const negativeZero = lo <= 0 && hi >= 0;
  if (integer && Number.isFinite(lo) && Number.isFinite(hi)) {
    return { length: Math.max(String(Math.ceil(lo)).length, String(Math.floor(hi)).length, 1), negativeZero };
  }
  return { length: lo >= 0 ? LONGEST_NUMBER - 1 : LONGEST_NUMBER, negativeZero };
}

/** The JSON cost of a literal or enum value; BigInts and `undefined` are annotated by superjson. */
function literalCost(value: unknown, at: At, walk: Walk): Cost {
  if (typeof value === "bigint") return bigintCost(String(value).length, at);
  if (value === undefined) return undefinedCost(at, walk);
  if (typeof value === "string") return plain(jsonStringLength(value));
  return plain(String(JSON.stringify(value)).length);
}

function undefinedCost(at: At, walk: Walk): Cost {
  if (!walk.superjson) return FREE; // JSON drops it (and a JSON-only schema holds none)
  return annotatedCost("null".length, at, '["undefined"]');
}

/** A BigInt: `"123"` and `["bigint"]` (a BigInt always needs superjson). */
function bigintCost(digits: number, at: At): Cost {
  return sharable(annotatedCost(2 + digits, at, '["bigint"]'), at);
}

/** Whether the plan serializer hands this node to superjson's generic walk. */
function isGeneric(node: ZodNode, at: At, walk: Walk): boolean {
  if (at.generic || !walk.superjson) return at.generic;
  try {
    return planOf(typeOf(node as never, at.where)).t === "any";
  } catch {
    return true;
  }
}

/** 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z: Dates between print in 24 characters, others in 27 (`+275760-09-13T…`). */
const FOUR_DIGIT_YEARS = [-62167219200000, 253402300799999] as const;

/** The longest `toISOString()` of a date schema's values. */
function dateTextLength(node: ZodNode): number {
  const [lo = -8.64e15, hi = 8.64e15] = numericRange<number>(node, "date", {}, [undefined, undefined]);
  return lo >= FOUR_DIGIT_YEARS[0] && hi <= FOUR_DIGIT_YEARS[1] ? 24 : 27;
}

function child(at: At, where: string, segment: number, generic: boolean): At {
  return { where, rel: joinPath(at.rel, segment), abs: joinPath(at.abs, segment), generic };
}

/** Elements `0…count-1` of a list (array, set, tuple rest…): their costs, grouped by index digits. */
function listCost(count: number, element: (index: number, digits: number) => Cost): Cost {
  if (count === 0) return plain(2);
  const parts: Cost[] = [];
  for (let digits = 1, from = 0; from < count; digits++) {
    const to = Math.min(count, 10 ** digits);
    parts.push(scale(element(from, digits), to - from));
    from = to;
  }
  return sum(parts, 2 + (count - 1));
}

/** The keys a record's key schema allows, or `undefined` when they are not a finite set. */
function finiteKeys(node: ZodNode): string[] | undefined {
  const def = node._zod.def;
  switch (def.type) {
    case "enum":
      return [...new Set(Object.values(def["entries"] as Record<string, string | number>).map(String))];
    case "literal":
      return (def["values"] as unknown[]).map(String);
    case "union": {
      const keys = new Set<string>();
      for (const option of def["options"] as ZodNode[]) {
        const some = finiteKeys(option);
        if (some === undefined) return undefined;
        for (const key of some) keys.add(key);
      }
      return [...keys];
    }
    case "pipe":
      return finiteKeys(def["out"] as ZodNode);
    case "readonly":
    case "default":
    case "catch":
      return finiteKeys(def["innerType"] as ZodNode);
    default:
      return undefined;
  }
}

/** The most JSON bytes of a template literal's values, quotes excluded (Infinity for parts it cannot bound). */
function templateBytes(node: ZodNode): number {
  let bytes = 0;
  for (const part of node._zod.def["parts"] as unknown[]) {
    if (typeof part !== "object" || part === null) {
      bytes += part === undefined ? "undefined".length : jsonStringLength(String(part)) - 2;
      continue;
    }
    const def = (part as ZodNode)._zod.def;
    switch (def.type) {
      case "string":
        bytes += stringBytes(part as ZodNode);
        break;
      case "number":
        bytes += numberText(part as ZodNode).length;
        break;
      case "boolean":
        bytes += 5;
        break;
      case "null":
        bytes += 4;
        break;
      case "undefined":
        bytes += 9;
        break;
      case "bigint": {
        const [lo, hi] = numericRange<bigint>(part as ZodNode, "bigint", BIGINT_FORMATS, [undefined, undefined]);
        if (lo === undefined || hi === undefined) return Infinity;
        bytes += Math.max(String(lo).length, String(hi).length);
        break;
      }
      case "enum":
      case "literal": {
        const values = def.type === "enum" ? Object.values(def["entries"] as object) : (def["values"] as unknown[]);
        bytes += Math.max(0, ...values.map((v) => jsonStringLength(String(v)) - 2));
        break;
      }
      default:
        return Infinity;
    }
  }
  return bytes;
}

/**
 * The worst case of one value of `node` at `at`. `present` is true where `undefined` cannot be stored (a
 * top-level field: setting one to undefined deletes it; under `.default()`).
 */
function cost(node: ZodNode, at0: At, walk: Walk, present = false): Cost {
  const def = node._zod.def;
  // A top-level optional field's plan is its inner type's (model.ts fieldsOf): decide below the wrapper.
  const at: At = present && def.type === "optional" ? at0 : { ...at0, generic: isGeneric(node, at0, walk) };
  const inner = (key: string, keepPresent = present): Cost => cost(def[key] as ZodNode, at, walk, keepPresent);
  switch (def.type) {
    case "string": {
      const bytes = stringBytes(node);
      return bytes === Infinity ? unboundedAt(walk, at) : plain(2 + bytes);
    }
    case "template_literal": {
      const bytes = templateBytes(node);
      return bytes === Infinity ? unboundedAt(walk, at) : plain(2 + bytes);
    }
    case "number":
    case "int": {
      const { length, negativeZero } = numberText(node);
      // superjson's generic walk writes -0 as "-0" with a ["number"] annotation.
      if (at.generic && negativeZero) return larger(plain(length), annotatedCost('"-0"'.length, at, '["number"]'));
      return plain(length);
    }
    case "nan":
      return at.generic ? annotatedCost('"NaN"'.length, at, '["number"]') : plain(4);
    case "boolean":
    case "success":
      return plain(5);
    case "null":
      return plain(4);
    case "undefined":
    case "void":
      return undefinedCost(at, walk);
    case "never":
      return FREE;
    case "literal":
      return (def["values"] as unknown[]).map((v) => literalCost(v, at, walk)).reduce(larger, FREE);
    case "enum":
      return Object.values(def["entries"] as Record<string, unknown>).map((v) => literalCost(v, at, walk)).reduce(larger, FREE);
    case "date":
      return sharable(annotatedCost(2 + dateTextLength(node), at, '["Date"]'), at); // a Date always needs superjson
    case "bigint": {
      const [lo, hi] = numericRange<bigint>(node, "bigint", BIGINT_FORMATS, [undefined, undefined]);
      if (lo === undefined || hi === undefined) return unboundedAt(walk, at);
      return bigintCost(Math.max(String(lo).length, String(hi).length), at);
    }
    case "array": {
      const count = maxCount(node, "length");
      const element = (index: number, digits: number) => cost(def["element"] as ZodNode, child(at, `${at.where}[]`, digits, at.generic), walk);
      if (count === Infinity) {
        const result = unboundedAt(walk, at);
        element(0, 1); // still report what inside is unbounded
        return result;
      }
      return listCost(count, element);
    }
    case "set":
    case "map": {
      const count = maxCount(node, "size");
      const entryCost = (index: number, digits: number): Cost => {
        // Inside a Set or Map, annotations are relative to it: `0` (a Set's element), `0.0` / `0.1` (a key / value).
        const nested = (where: string, suffix: number): At => ({ where, rel: digits + suffix, abs: joinPath(at.abs, digits) + suffix, generic: at.generic });
        if (def.type === "set") return cost(def["valueType"] as ZodNode, nested(`${at.where}[]`, 0), walk);
        const key = cost(def["keyType"] as ZodNode, nested(`${at.where}[key]`, 2), walk);
        const value = cost(def["valueType"] as ZodNode, nested(`${at.where}[]`, 2), walk);
        return sum([key, value], 3); // [key,value]
      };
      if (count === Infinity) {
        const result = unboundedAt(walk, at);
        entryCost(0, 1);
        return result;
      }
      const elements = listCost(count, entryCost);
      if (!walk.superjson) return elements; // unreachable: a Set or Map always needs superjson
      // ["set"] or ["set",{…entries…}]: the entries inside are counted in `elements` already (with their commas).
      const tree = elements.annotated ? '["set",{'.length + '}]'.length - 1 : '["set"]'.length;
      return { ...elements, bytes: elements.bytes + entry(at.rel, tree), annotated: true };
    }
    case "record": {
      const keys = finiteKeys(def["keyType"] as ZodNode);
      if (keys === undefined) {
        const result = unboundedAt(walk, at); // z.record(z.string(), …) holds any number of keys: key it by an enum
        cost(def["valueType"] as ZodNode, child(at, `${at.where}[]`, 1, at.generic), walk);
        return result;
      }
      const fields = keys.map((key) => {
        const value = cost(def["valueType"] as ZodNode, child(at, `${at.where}[]`, pathSegmentLength(key), at.generic), walk);
        return sum([value], jsonStringLength(key) + 1);
      });
      return sum(fields, 2 + Math.max(0, keys.length - 1));
    }
    case "object": {
      const shape = def["shape"] as Record<string, ZodNode>;
      const catchall = def["catchall"] as ZodNode | undefined;
      // Extra keys are kept (looseObject, catchall): nothing bounds how many.
      const open = catchall !== undefined && catchall._zod.def.type !== "never";
      if (open) walk.unbounded.add(`${at.where}.*`);
      const fields = Object.entries(shape).map(([key, field]) => {
        const value = cost(field, child(at, at.where === "" ? key : `${at.where}.${key}`, pathSegmentLength(key), at.generic), walk);
        return sum([value], jsonStringLength(key) + 1);
      });
      if (open) return plain(Infinity);
      return sum(fields, 2 + Math.max(0, fields.length - 1));
    }
    case "tuple": {
      const items = (def["items"] as ZodNode[]).map((item, i) => cost(item, child(at, `${at.where}[${i}]`, String(i).length, at.generic), walk));
      const rest = def["rest"] as ZodNode | null | undefined;
      if (rest !== null && rest !== undefined) {
        const result = unboundedAt(walk, at);
        cost(rest, child(at, `${at.where}[]`, 1, at.generic), walk);
        return result;
      }
      return sum(items, 2 + Math.max(0, items.length - 1));
    }
    case "union":
      return (def["options"] as ZodNode[]).map((option) => cost(option, at, walk, present)).reduce(larger, FREE);
    case "intersection": {
      const sides = (["left", "right"] as const).map((key) => {
        const saved = walk.unbounded;
        walk.unbounded = new Set();
        const result = inner(key);
        const found = walk.unbounded;
        walk.unbounded = saved;
        return { result, found, object: (def[key] as ZodNode)._zod.def.type === "object" };
      });
      const [left, right] = sides as [(typeof sides)[0], (typeof sides)[0]];
      // Two object schemas: the value has the keys of both (at most both texts); otherwise it fits the tighter.
      const both = left.object && right.object;
      const result = both ? sum([left.result, right.result], 0) : left.result.bytes <= right.result.bytes ? left.result : right.result;
      if (result.bytes === Infinity) for (const side of sides) if (both || side.result.bytes === Infinity) for (const p of side.found) walk.unbounded.add(p);
      return result;
    }
    case "nullable":
      return larger(inner("innerType"), plain(4));
    case "optional":
      return present ? inner("innerType") : larger(inner("innerType", false), undefinedCost(at, walk));
    case "default":
    case "prefault":
    case "nonoptional":
      return inner("innerType", true);
    case "readonly":
    case "catch":
      return inner("innerType");
    case "pipe":
      return inner("out");
    default:
      // any, unknown, custom (and what gen refuses before getting here): nothing bounds them.
      return unboundedAt(walk, at);
  }
}

// ---------------------------------------------------------------------------------------------------------
// A whole session

/** A schema that accepts anything: untyped flashes. */
const UNKNOWN: ZodNode = { _zod: { def: { type: "unknown" } } };

/** The most bytes of `referentialEqualities` (after `values` and its comma when annotated): written once two values are shared. */
function sharedBytes(values: Cost): number {
  if (values.shared < 2) return 0;
  return (values.annotated ? 1 : 0) + '"referentialEqualities":{'.length + values.refs - 1 + "}".length;
}

/**
 * The worst-case length of a session's serialized values (what the serializer writes after the payload
 * header) with `flashes` flash messages and the CSRF token, in bytes; Infinity when a field is unbounded.
 * Also gives the unbounded paths of the data and of the flash schema.
 */
export function valuesLength(
  definition: SessionDefinition,
  superjson: boolean,
  flashes: number,
): { bytes: number; unbounded: string[]; flashUnbounded: string[] } {
  const walk: Walk = { superjson, unbounded: new Set() };
  const fields: Cost[] = [];
  for (const [key, field] of Object.entries(definition.data.shape as unknown as Record<string, ZodNode>)) {
    const segment = pathSegmentLength(key);
    fields.push(sum([cost(field, { where: key, rel: segment, abs: segment, generic: false }, walk, true)], jsonStringLength(key) + 1));
  }
  // The CSRF token, `"_csrf":"<43 characters>"`: a plain string, outside the plan.
  fields.push(plain(jsonStringLength("_csrf") + 1 + 2 + CSRF_TOKEN_LENGTH));
  // The flash list, `"_flash":[…]`, present once a flash is added; its elements are `_flash.0`, `_flash.1`…
  const flashWalk: Walk = { superjson, unbounded: new Set() };
  const flashSchema = (definition.flash as ZodNode | undefined) ?? UNKNOWN;
  const flash = (digits: number): Cost => {
    const path = joinPath("_flash".length, digits);
    return cost(flashSchema, { where: "flash", rel: path, abs: path, generic: false }, flashWalk);
  };
  const first = flash(1); // measured even for no flashes: it tells what in them is unbounded
  if (flashes > 0) {
    const list = listCost(flashes, (_index, digits) => (digits === 1 ? first : flash(digits)));
    fields.push(sum([list], jsonStringLength("_flash") + 1));
  }
  const values = sum(fields, 2 + (fields.length - 1)); // {…} and the commas between fields
  let bytes: number;
  if (!superjson) {
    bytes = values.bytes + "\n".length; // jsonSerializer ends its text with a newline
  } else {
    const meta = values.annotated || values.shared >= 2;
    const valuesObject = values.annotated ? '"values":{'.length + "}".length - 1 : 0; // the entries carry one comma too many
    bytes =
      values.bytes +
      '{"json":'.length +
      "}".length +
      (meta ? ',"meta":{'.length + valuesObject + sharedBytes(values) + ',"v":1}'.length : 0);
  }
  return { bytes, unbounded: [...walk.unbounded], flashUnbounded: [...flashWalk.unbounded] };
}

/** Estimates the worst-case cookie size of the session `exportName` defines. */
export function estimateSize(exportName: string, definition: SessionDefinition): SizeEstimate {
  const superjson = sessionModel(exportName, definition).needsSuperjson;
  const attributes = attributesLength(definition.cookie);
  const header = payloadHeaderLength(definition.version);
  const at = (flashes: number) => valuesLength(definition, superjson, flashes);
  const none = at(0);
  const size = (bytes: number): CookieSize | undefined => (bytes === Infinity ? undefined : encodedSize(header + bytes, definition.name, attributes));
  const withoutFlash = size(none.bytes);
  const flashBounded = none.flashUnbounded.length === 0;
  const withFlash = withoutFlash !== undefined && flashBounded ? size(at(1).bytes) : undefined;
  const withTwo = withFlash !== undefined ? size(at(2).bytes) : undefined;
  return {
    exportName,
    sessionName: definition.name,
    serializer: superjson ? "superjson" : "json",
    unbounded: none.unbounded,
    flashUnbounded: none.flashUnbounded,
    attributes,
    withoutFlash,
    withFlash,
    perFlash: withFlash !== undefined && withTwo !== undefined ? withTwo.aes.header - withFlash.aes.header : undefined,
  };
}

// ---------------------------------------------------------------------------------------------------------
// What gen prints

/** Writes 2314 as "2,314" (not locale-dependent). */
export function formatBytes(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+$)/g, ",");
}

/** How the chunks of one worst case lay out: how many cookies, and their bytes in a request's `Cookie` header. */
function chunked(estimate: SizeEstimate, size: EncodedSize, limit: number): { count: number; bytes: number } {
  const { lengths, bytes } = chunkLayout(estimate.sessionName, size.value, estimate.attributes, limit);
  return { count: lengths.length, bytes };
}

/**
 * One estimate as gen prints it, and whether it is a warning (unbounded, or over `limit` bytes). With
 * `chunking` (a CookieStore that chunks, `gen --chunking`), a session over `limit` is measured as the
 * chunks it would take, and warned about only past the chunking caps.
 */
export function sizeLine(
  estimate: SizeEstimate,
  source: string,
  limit = COOKIE_LIMIT,
  chunking?: CookieChunking,
): { text: string; warning: boolean } {
  const who = `${estimate.sessionName} (${source})`;
  const flashNote = estimate.flashUnbounded.length > 0 ? `; flash messages are unbounded: ${estimate.flashUnbounded.join(", ")} (add .max(n))` : "";
  if (estimate.unbounded.length > 0) {
    return {
      text: `${who}: unbounded in a cookie: ${estimate.unbounded.join(", ")} (add .max(n))${flashNote}; ignore this if it is kept in a server-side store`,
      warning: true,
    };
  }
  const worst = (estimate.withFlash ?? estimate.withoutFlash) as CookieSize;
  const flashes =
    estimate.withFlash !== undefined
      ? `, with 1 flash message (each more adds up to ${formatBytes(estimate.perFlash ?? 0)})`
      : `, without flash messages${flashNote}`;
  const advice = "bound its fields tighter, store fewer, or keep it in a server-side store (then ignore this)";
  if (chunking !== undefined && worst.aes.header > limit) {
    const aes = chunked(estimate, worst.aes, limit);
    const signed = chunked(estimate, worst.signed, limit);
    const sizes = `${formatBytes(aes.bytes)} bytes of Cookie header in ${aes.count} cookies (AES: ${formatBytes(aes.bytes)} in ${aes.count}; signed only: ${formatBytes(signed.bytes)} in ${signed.count})`;
    if (aes.count > chunking.maxChunks || aes.bytes > chunking.maxBytes) {
      return {
        text: `${who}: up to ${sizes}${flashes}: over the chunking caps (${chunking.maxChunks} cookies, ${formatBytes(chunking.maxBytes)} bytes of Cookie header); ${advice}`,
        warning: true,
      };
    }
    return { text: `${who}: at most ${sizes}, chunked${flashes}`, warning: estimate.flashUnbounded.length > 0 };
  }
  const sizes = `${formatBytes(worst.aes.header)} bytes in a cookie (AES: ${formatBytes(worst.aes.header)}; signed only: ${formatBytes(worst.signed.header)})`;
  const over = worst.aes.header > limit;
  if (over) {
    return {
      text: `${who}: up to ${sizes}${flashes}: over the ${formatBytes(limit)} bytes browsers keep; ${advice}`,
      warning: true,
    };
  }
  return { text: `${who}: at most ${sizes}${flashes}`, warning: estimate.flashUnbounded.length > 0 };
}
