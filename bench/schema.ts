/**
 * The schema section of `npm run bench`: a JSON-only session and a rich-type session (Date, Map, Set) through
 * the serializer `typed-sessions gen` picks for each (plain JSON, or the schema-compiled superjson writer),
 * against superjson and the raw node:crypto baseline, all inside the same codec (HMAC-SHA256 + AES-256-CTR).
 */
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { sessionModel } from "../codegen/model.ts";
import { createCodec } from "../src/codec/codec.ts";
import { jsonSerializer, superjsonSerializer } from "../src/serializers/serializers.ts";
import { createPlanSerializer } from "../src/serializers/plan-serializer.ts";
import { defineSession } from "../src/typed/define-session.ts";
import { createValidator } from "../src/typed/validate.ts";
import { createBaseline } from "./baseline.ts";
import { type BenchCase, measure, printTable } from "./harness.ts";
import { runSaveRows } from "./schema-save.ts";

const item = z.object({ sku: z.string(), qty: z.number().int(), gift: z.boolean() });

const jsonOnly = defineSession({
  name: "bench_json",
  data: z.object({
    user: z.object({ id: z.number(), name: z.string(), email: z.string() }),
    cart: z.array(item).default([]),
    prefs: z.object({ theme: z.enum(["light", "dark"]), locale: z.string() }),
  }),
  flash: z.string(),
});

const rich = defineSession({
  name: "bench_rich",
  data: z.object({
    user: z.object({ id: z.number(), name: z.string(), email: z.string() }),
    lastSeen: z.date(),
    cart: z.array(item).default([]),
    seen: z.map(z.string(), z.date()),
    roles: z.set(z.string()),
  }),
  flash: z.string(),
});

const user = { id: 1234, name: "Gerasimos Maropoulos", email: "kataras@example.com" };
const cart = Array.from({ length: 16 }, (_, i) => ({ sku: `SKU-${1000 + i}-BLUE-XL`, qty: (i % 3) + 1, gift: i % 5 === 0 }));
const jsonValue = { user, cart, prefs: { theme: "dark" as const, locale: "en-US" } };
const richValue = {
  user,
  lastSeen: new Date("2026-11-26T07:33:54.000Z"),
  cart,
  seen: new Map([["/", new Date(1_700_000_000_000)], ["/cart", new Date(1_700_000_100_000)]]),
  roles: new Set(["reader", "buyer"]),
};

const BASELINE = "node:crypto baseline (JSON)";

/**
 * The same information as plain JSON, prepared once: Maps as entry arrays, Sets as arrays (Dates become ISO
 * strings in JSON.stringify). JSON.stringify would write a Map or Set as `{}`, a smaller and so unfair
 * baseline; the baseline also gets its Maps, Sets and Dates back only as arrays and strings (no revival).
 */
function plainEquivalent(value: unknown): unknown {
  if (value instanceof Map) return [...value].map(([k, v]) => [plainEquivalent(k), plainEquivalent(v)]);
  if (value instanceof Set) return [...value].map(plainEquivalent);
  if (Array.isArray(value)) return value.map(plainEquivalent);
  if (value !== null && typeof value === "object" && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plainEquivalent(v)]));
  }
  return value;
}

/**
 * Runs the schema section: prints encode and decode tables with ratios to the baseline, then the save side
 * of a request (schema-save.ts: unchanged saves, in-place changes, save-time validation).
 */
export async function runSchemaBench(): Promise<void> {
  const hashKey = randomBytes(32);
  const blockKey = randomBytes(32);
  const baseline = createBaseline(hashKey, blockKey);
  for (const [label, definition, value] of [
    ["JSON-only schema", jsonOnly, jsonValue],
    ["rich schema (Date, Map, Set)", rich, richValue],
  ] as const) {
    const model = sessionModel(definition.name, definition);
    const generated = model.needsSuperjson ? createPlanSerializer(model.plan) : jsonSerializer;
    const generatedName = model.needsSuperjson ? "generated (schema-compiled superjson)" : "generated (plain JSON)";
    const validate = createValidator(definition);
    const ours = createCodec({ hashKey, blockKey, serializer: generated, maxLength: 0 });
    const generic = createCodec({ hashKey, blockKey, serializer: superjsonSerializer, maxLength: 0 });
    const cookie = ours.encode(definition.name, value);
    const genericCookie = generic.encode(definition.name, value);
    const plain = plainEquivalent(value);
    const baseCookie = baseline.encode(plain);
    const encodeCases: BenchCase[] = [
      { label: BASELINE, run: () => baseline.encode(plain) },
      { label: generatedName, run: () => ours.encode(definition.name, value) },
      { label: "superjson", run: () => generic.encode(definition.name, value) },
    ];
    const decodeCases: BenchCase[] = [
      { label: BASELINE, run: () => baseline.decode(baseCookie) },
      { label: generatedName, run: () => ours.decode(definition.name, cookie) },
      { label: `${generatedName} + Zod validation`, run: () => validate(ours.decode(definition.name, cookie) as Record<string, unknown>) },
      { label: "superjson", run: () => generic.decode(definition.name, genericCookie) },
    ];
    const bytes = generated.serialize(value).length;
    printTable(`schema encode, ${label} (${bytes} serialized bytes)`, measure(encodeCases), BASELINE);
    printTable(`schema decode, ${label} (${bytes} serialized bytes)`, measure(decodeCases), BASELINE);
    await runSaveRows(label, definition, value, generated, () => ours.encode(definition.name, value), hashKey, blockKey);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runSchemaBench();
