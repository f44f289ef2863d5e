import { createCodec, generateRandomKey, type SerializerName } from "typed-sessions/codec";
import { createBaseline } from "./baseline.ts";
import { type BenchCase, measure, printTable } from "./harness.ts";
import { largePayload, smallPayload } from "./payloads.ts";

const BASELINE = "baseline (node:crypto)";

/** Encode and decode ops/s for each serializer, hash-only and AES-256, against the node:crypto baseline. */
export function runCodecBench(): void {
  const hashKey = Buffer.from(generateRandomKey(32));
  const blockKey = Buffer.from(generateRandomKey(32));
  const baseline = createBaseline(hashKey, blockKey);
  for (const [payloadName, payload] of [
    ["3-field payload", smallPayload],
    ["~1 KB payload", largePayload],
  ] as const) {
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
}
