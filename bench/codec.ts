import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { sealData, unsealData } from "iron-session";
import type * as CodecEntry from "typed-sessions/codec";
import { createCodec, createWebCryptoCodec, generateRandomKey, type SerializerName } from "typed-sessions/codec";
import { createBaseline } from "./baseline.ts";
import { type AsyncBenchCase, type BenchCase, measure, measureAsync, printTable } from "./harness.ts";
import { libraryPath, libraryTag } from "./http-ts-app.ts";
import { largePayload, smallPayload } from "./payloads.ts";

const BASELINE = "baseline (node:crypto)";
const IRON = "iron-session seal (iron-webcrypto)";
const IRON_UNSEAL = "iron-session unseal (iron-webcrypto)";
/** How many pairs of rounds the build comparison runs per case (BENCH_CODEC_PAIRS). @default 61 */
const PAIRS = Number(process.env["BENCH_CODEC_PAIRS"] ?? 61);
const PAYLOADS = [
  ["3-field payload", smallPayload],
  ["~1 KB payload", largePayload],
] as const;

/**
 * Encode and decode ops/s for each serializer, hash-only and AES-256, against the node:crypto baseline; then
 * the WebCrypto codec (Node's crypto.subtle standing in for an edge runtime's) against iron-session's
 * seal/unseal (iron-webcrypto: AES-256-CBC + HMAC-SHA256 on crypto.subtle), every call awaited. With
 * BENCH_TS_BASE_DIST (another checkout, built), the node:crypto codec of this build's dist/ and of that one
 * run in pairs of short rounds, back to back, and each variant's median this ÷ base ratio is printed.
 */
export async function runCodecBench(): Promise<void> {
  const hashKey = Buffer.from(generateRandomKey(32));
  const blockKey = Buffer.from(generateRandomKey(32));
  const baseline = createBaseline(hashKey, blockKey);
  for (const [payloadName, payload] of PAYLOADS) {
    const jsonBytes = JSON.stringify(payload).length;
    const variants = (["json", "superjson"] as SerializerName[]).flatMap((serializer) =>
      [false, true].map((encrypted) => ({
        label: `${serializer} ${encrypted ? "AES-256" : "hash-only"}`,
        codec: createCodec({ hashKey, blockKey: encrypted ? blockKey : null, serializer, maxLength: 0 }),
      })),
    );
    const baselineCookie = baseline.encode(payload);
    const encodeCases: BenchCase[] = [
      { label: BASELINE, run: () => baseline.encode(payload) },
      ...variants.map(({ label, codec }) => ({ label, run: () => codec.encode("session", payload) })),
    ];
    const decodeCases: BenchCase[] = [
      { label: BASELINE, run: () => baseline.decode(baselineCookie) },
      ...variants.map(({ label, codec }) => {
        const cookie = codec.encode("session", payload);
        return { label, run: () => codec.decode("session", cookie) };
      }),
    ];
    printTable(`codec encode, ${payloadName} (${jsonBytes} bytes of JSON)`, measure(encodeCases), BASELINE);
    printTable(`codec decode, ${payloadName} (${jsonBytes} bytes of JSON)`, measure(decodeCases), BASELINE);
  }
  await runWebCryptoBench(hashKey, blockKey);
  const base = process.env["BENCH_TS_BASE_DIST"];
  if (base !== undefined) await runBuildComparison(base, hashKey, blockKey);
}

/** Loads the codec entry of a build (see `libraryPath`): compiled JavaScript, never the TypeScript sources. */
async function loadCodecEntry(spec: string | undefined): Promise<typeof CodecEntry> {
  return (await import(pathToFileURL(join(dirname(libraryPath(spec)), "codec.js")).href)) as typeof CodecEntry;
}

/** Calls `run` for about `ms` milliseconds; returns calls per second. */
function rate(run: () => unknown, ms: number): number {
  let sink: unknown;
  let calls = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(ms) * 1_000_000n;
  let elapsed = 0n;
  while (elapsed < budget) {
    for (let i = 0; i < 16; i++) sink = run();
    calls += 16;
    elapsed = process.hrtime.bigint() - start;
  }
  if (sink === Symbol.for("never")) console.log(sink);
  return calls / (Number(elapsed) / 1e9);
}

/**
 * The median, over `pairs` back-to-back pairs of short rounds (the order swapped every pair), of `mine`'s
 * rate ÷ `base`'s: on a loaded host a burst of noise lasts longer than a pair, so it hits both sides of one.
 */
function pairedRatio(mine: () => unknown, base: () => unknown, pairs = PAIRS, ms = 20): { median: number; low: number; high: number } {
  rate(mine, 100);
  rate(base, 100);
  const ratios: number[] = [];
  for (let pair = 0; pair < pairs; pair++) {
    const first = pair % 2 === 0;
    const a = first ? rate(mine, ms) : rate(base, ms);
    const b = first ? rate(base, ms) : rate(mine, ms);
    ratios.push(first ? a / b : b / a);
  }
  ratios.sort((x, y) => x - y);
  const at = (q: number) => ratios[Math.min(ratios.length - 1, Math.floor(q * ratios.length))] as number;
  return { median: at(0.5), low: at(0.25), high: at(0.75) };
}

/** The node:crypto codec of this build against another build's, pair by pair of short rounds. */
async function runBuildComparison(baseSpec: string, hashKey: Uint8Array, blockKey: Uint8Array): Promise<void> {
  const [mine, base] = [await loadCodecEntry(undefined), await loadCodecEntry(baseSpec)];
  console.log(`\nnode:crypto codec, this build (${libraryTag(undefined)}) ÷ base (${libraryTag(baseSpec)}): median of ${PAIRS} paired 20 ms rounds [quartiles]`);
  for (const [payloadName, payload] of PAYLOADS) {
    for (const serializer of ["json", "superjson"] as SerializerName[]) {
      for (const encrypted of [false, true]) {
        const options = { hashKey, blockKey: encrypted ? blockKey : null, serializer, maxLength: 0 };
        const [a, b] = [mine.createCodec(options), base.createCodec(options)];
        const [cookieA, cookieB] = [a.encode("session", payload), b.encode("session", payload)];
        const encode = pairedRatio(() => a.encode("session", payload), () => b.encode("session", payload));
        const decode = pairedRatio(() => a.decode("session", cookieA), () => b.decode("session", cookieB));
        const show = (r: { median: number; low: number; high: number }) => `${r.median.toFixed(2)}× [${r.low.toFixed(2)}–${r.high.toFixed(2)}]`;
        console.log(`${`${payloadName}, ${serializer} ${encrypted ? "AES-256" : "hash-only"}`.padEnd(36)} encode ${show(encode)}  decode ${show(decode)}`);
      }
    }
  }
}

async function runWebCryptoBench(hashKey: Uint8Array, blockKey: Uint8Array): Promise<void> {
  const password = Buffer.from(generateRandomKey(32)).toString("hex"); // iron-session wants ≥ 32 characters
  const web = (serializer: SerializerName, encrypted: boolean) =>
    createWebCryptoCodec({ hashKey, blockKey: encrypted ? blockKey : null, serializer, maxLength: 0 });
  const node = createCodec({ hashKey, blockKey, serializer: "json", maxLength: 0 });
  for (const [payloadName, payload] of PAYLOADS) {
    const jsonBytes = JSON.stringify(payload).length;
    const variants = [
      { label: "WebCrypto json AES-256", codec: web("json", true) },
      { label: "WebCrypto superjson AES-256", codec: web("superjson", true) },
      { label: "WebCrypto json hash-only", codec: web("json", false) },
      {
        label: "node:crypto json AES-256 (awaited)",
        codec: { encode: async (name: string, value: unknown) => node.encode(name, value), decode: async (name: string, cookie: string) => node.decode(name, cookie) },
      },
    ];
    const seal = await sealData(payload, { password });
    const expected = JSON.parse(JSON.stringify(payload));
    if (JSON.stringify(await unsealData(seal, { password })) !== JSON.stringify(expected)) throw new Error("iron-session did not round-trip");
    for (const { label, codec } of variants) {
      const back = await codec.decode("session", await codec.encode("session", payload));
      if (JSON.stringify(back) !== JSON.stringify(label.includes("superjson") ? payload : expected)) throw new Error(`${label} did not round-trip`);
    }
    const encodeCases: AsyncBenchCase[] = [
      { label: IRON, run: () => sealData(payload, { password }) },
      ...variants.map(({ label, codec }) => ({ label, run: () => codec.encode("session", payload) })),
    ];
    const decodeCases: AsyncBenchCase[] = [
      { label: IRON_UNSEAL, run: () => unsealData(seal, { password }) },
      ...(await Promise.all(
        variants.map(async ({ label, codec }) => {
          const cookie = await codec.encode("session", payload);
          return { label, run: () => codec.decode("session", cookie) };
        }),
      )),
    ];
    printTable(`WebCrypto encode vs iron-session seal, ${payloadName} (${jsonBytes} bytes of JSON)`, await measureAsync(encodeCases), IRON);
    printTable(`WebCrypto decode vs iron-session unseal, ${payloadName} (${jsonBytes} bytes of JSON)`, await measureAsync(decodeCases), IRON_UNSEAL);
  }
}
