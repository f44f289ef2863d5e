// typed-sessions/runtime: what generated `*.gen.ts` modules import. Not for application code.
export { TypedSession } from "./typed/typed-session.ts";
export { bindSession } from "./typed/bind-session.ts";
export type { BoundSession } from "./typed/bind-session.ts";
export { createPlanSerializer } from "./serializers/plan-serializer.ts";
export type { SerializerPlan } from "./serializers/plan-serializer.ts";
export { jsonSerializer, superjsonSerializer } from "./serializers/serializers.ts";
