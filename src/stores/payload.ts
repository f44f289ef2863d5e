import { jsonSerializer, superjsonSerializer } from "../serializers/serializers.ts";
import { bodyWriterOf, readBody } from "../serializers/bare-json.ts";
import { causeSummary, scrubbedCause } from "../serializers/cause-summary.ts";
import type { Serializer } from "../serializers/serializers.ts";
import { SessionError } from "../errors.ts";
import { MAX_COOKIE_AGE } from "../internal/time.ts";
import { text } from "../internal/text.ts";
import type { DecodeResult } from "../codec/codec.ts";
import type { SessionConfig } from "../session/session-config.ts";
import type { LoadedRecord, SessionRecord } from "./store.ts";

const MAGIC = "ts1 ";
const SPACE = 0x20;
const PLUS = 0x2b;
const LOWER_V = 0x76;
/** The highest version a header may carry (defineSession's limit). */
const MAX_VERSION = 1_000_000_000;
const NEWLINE = 0x0a;

/** Returns the config's serializer (superjson by default). */
export function serializerOf(config: SessionConfig): Serializer {
  const { serializer } = config;
  return serializer === undefined || serializer === "superjson" ? superjsonSerializer : serializer === "json" ? jsonSerializer : serializer;
}

/**
 * Encodes values and metadata into the bytes the codec signs: a short text header
 * (`ts1 <createdAt> <accessedAt>[ <maxAge>][ v<version>]\n`, accessedAt as `+<seconds after createdAt>`
 * where that is shorter, maxAge only when given and ≥ 0, the version only when given and not 1) then the
 * serializer's bytes, so metadata never mixes with values and a schema-compiled serializer only ever sees the
 * values. With the default or a schema-compiled serializer, values that are plain JSON are written as their
 * JSON text alone, without superjson's `{"json":…}` wrapper (see serializers/bare-json.ts).
 * A maxAge over 400 days (which the lifecycle refuses before it gets here) is written as 400 days.
 * Throws `serialize_failed` when the serializer refuses the values (a BigInt or a cycle for JSON, a
 * `__proto__` key for superjson).
 */
export function encodePayload(name: string, serializer: Serializer, payload: SessionRecord): Uint8Array {
  const maxAge = payload.maxAge === undefined || !(payload.maxAge >= 0) ? "" : ` ${Math.min(Math.trunc(payload.maxAge), MAX_COOKIE_AGE)}`;
  const version = payload.version === undefined || payload.version === 1 ? "" : ` v${payload.version}`;
  const createdAt = Math.floor(payload.createdAt);
  const head = `${MAGIC}${createdAt} ${accessedField(createdAt, Math.floor(payload.accessedAt))}${maxAge}${version}\n`;
  try {
    const writeBody = bodyWriterOf(serializer);
    if (writeBody !== undefined) return text.utf8Bytes(head + writeBody(payload.values));
    // A text serializer: the payload is built as one string, encoded once.
    if (serializer.stringify !== undefined) return text.utf8Bytes(head + serializer.stringify(payload.values));
    const body = serializer.serialize(payload.values);
    const bytes = new Uint8Array(head.length + body.byteLength);
    bytes.set(text.latin1Bytes(head));
    bytes.set(body, head.length);
    return bytes;
  } catch (cause) {
    throw new SessionError(
      "serialize_failed",
      `the values of session "${name}" could not be serialized (${(cause as Error)?.message ?? cause}); store only values its serializer supports: plain JSON for "json"; superjson's types, with no __proto__, constructor or prototype keys, for the default; the schema's types for generated sessions.`,
      { cause },
    );
  }
}

/**
 * The header's accessedAt field: `+<seconds after createdAt>` when that is shorter than the timestamp (for
 * ten-digit timestamps, up to 99,999,999 s, some three years, after it: "+0" for a new session, 8 characters
 * fewer), else the timestamp.
 */
function accessedField(createdAt: number, accessedAt: number): string {
  const absolute = String(accessedAt);
  if (accessedAt < createdAt) return absolute;
  const relative = `+${accessedAt - createdAt}`;
  return relative.length < absolute.length ? relative : absolute;
}

function corrupt(name: string, detail: string): SessionError {
  return new SessionError(
    "corrupt_data",
    `the stored data of session "${name}" is corrupt (${detail}); a fresh session was started.`,
  );
}

/**
 * Decodes {@link encodePayload}'s bytes; throws decode errors (`corrupt_data`, `deserialize_failed`). Authentic
 * metadata is checked like any stored input: a maxAge over 400 days (no save writes one) is `corrupt_data`;
 * timestamps are checked against the store's clock by `checkTimeouts`.
 */
export function decodePayload(name: string, serializer: Serializer, bytes: Uint8Array): SessionRecord {
  const values = decodeValues(name, serializer, bytes);
  // Built whole, not spread: object spread is far slower on this path (a profile showed ~2 µs a request).
  return { values, createdAt: parsed.createdAt, accessedAt: parsed.accessedAt, maxAge: parsed.maxAge, version: parsed.version };
}

/**
 * {@link decodePayload}'s values, its header left in {@link parsed} (read it before the next payload is
 * decoded): a load builds its record from them without an intermediate one.
 */
function decodeValues(name: string, serializer: Serializer, bytes: Uint8Array): Record<string, unknown> {
  // A text serializer reads the body from the payload decoded once (the header is ASCII).
  const decoded = serializer.parse === undefined ? undefined : text.utf8Text(bytes);
  const end = decoded === undefined ? bytes.indexOf(NEWLINE) : decoded.indexOf("\n");
  const header = end < 0 || end > 72 ? undefined : decoded ?? text.latin1Text(bytes, 0, end);
  if (header === undefined || !readHeader(header, end)) throw corrupt(name, "no metadata header");
  const { createdAt, accessedAt, maxAge, version } = parsed;
  if (maxAge !== undefined && maxAge > MAX_COOKIE_AGE) throw corrupt(name, `a maxAge of ${maxAge}s, over 400 days`);
  if (version !== undefined && !(version >= 1 && version <= MAX_VERSION)) throw corrupt(name, `data version ${version}`);
  let values: unknown;
  // A binary serializer gets its bytes as a plain Uint8Array of its own, which it may keep: the store's
  // codec hands over a view of its own buffer (a Buffer of Node's shared pool, for a signed-only cookie).
  try {
    if (decoded === undefined) values = serializer.deserialize(new Uint8Array(bytes.subarray(end + 1)));
    else if (bodyWriterOf(serializer) !== undefined) values = readBody(serializer, decoded.slice(end + 1));
    else values = (serializer.parse as (text: string) => unknown)(decoded.slice(end + 1));
  } catch (cause) {
    throw new SessionError(
      "deserialize_failed",
      `the values of session "${name}" could not be deserialized (${causeSummary(cause)}); was the serializer changed?`,
      { cause: scrubbedCause(cause) },
    );
  }
  if (values === null || typeof values !== "object" || Array.isArray(values))
    throw corrupt(name, "values are not an object");
  // The serializer is the application's code: should it have decoded a payload of its own meanwhile, this
  // one's header is what the caller reads.
  parsed.createdAt = createdAt;
  parsed.accessedAt = accessedAt;
  parsed.maxAge = maxAge;
  parsed.version = version;
  return values as Record<string, unknown>;
}

/** What {@link readHeader} read last (one payload at a time: nothing in between yields). */
const parsed: { createdAt: number; accessedAt: number; maxAge: number | undefined; version: number | undefined } = {
  createdAt: 0,
  accessedAt: 0,
  maxAge: undefined,
  version: undefined,
};
/** Where {@link digitsAt} stopped. */
let cursor = 0;

/**
 * Reads the header `ts1 <createdAt> [+]<accessedAt>[ <maxAge>][ v<version>]` (1 to 15 digits each, 1 to 10
 * for the version; `+` for seconds after createdAt; data written before the optional fields existed still
 * matches) from `line` up to `end` into {@link parsed}; false when it is not one. Read by hand, not by a regular expression: no
 * match array, no substrings, on every load.
 */
function readHeader(line: string, end: number): boolean {
  if (!line.startsWith(MAGIC)) return false;
  parsed.createdAt = digitsAt(line, MAGIC.length, end, 15);
  if (Number.isNaN(parsed.createdAt) || line.charCodeAt(cursor) !== SPACE) return false;
  const relative = line.charCodeAt(cursor + 1) === PLUS;
  parsed.accessedAt = digitsAt(line, cursor + (relative ? 2 : 1), end, 15);
  if (Number.isNaN(parsed.accessedAt)) return false;
  if (relative) parsed.accessedAt += parsed.createdAt;
  parsed.maxAge = undefined;
  parsed.version = undefined;
  if (cursor === end) return true;
  if (line.charCodeAt(cursor) !== SPACE) return false;
  if (line.charCodeAt(cursor + 1) !== LOWER_V) {
    parsed.maxAge = digitsAt(line, cursor + 1, end, 15);
    if (Number.isNaN(parsed.maxAge)) return false;
    if (cursor === end) return true;
    if (line.charCodeAt(cursor) !== SPACE || line.charCodeAt(cursor + 1) !== LOWER_V) return false;
  }
  parsed.version = digitsAt(line, cursor + 2, end, 10);
  return !Number.isNaN(parsed.version) && cursor === end;
}

/** The number written in 1 to `max` ASCII digits of `line` from `at` (before `end`), leaving {@link cursor} after them; NaN for none or more. */
function digitsAt(line: string, at: number, end: number, max: number): number {
  let value = 0;
  let i = at;
  for (; i < end; i++) {
    const code = line.charCodeAt(i) - 0x30;
    if (code < 0 || code > 9) break;
    value = value * 10 + code;
  }
  cursor = i;
  return i === at || i - at > max ? Number.NaN : value;
}

/**
 * Turns what a store's codec verified into the record it loaded: the payload decoded with the config's
 * serializer, the id it is stored under, whether any key that verified it (`older`, or the codec's)
 * was an older one, the stored text it came from (`revision`, server stores) and when that expires (`expiresAt`).
 */
export function loadedRecord(
  name: string,
  config: SessionConfig,
  decoded: DecodeResult,
  id: string,
  older = false,
  revision?: string,
  expiresAt?: number,
): LoadedRecord {
  const values = decodeValues(name, serializerOf(config), decoded.value as Uint8Array);
  const { createdAt, accessedAt, maxAge, version } = parsed;
  return { values, createdAt, accessedAt, maxAge, version, id, stale: older || decoded.keyIndex > 0, revision, expiresAt };
}
