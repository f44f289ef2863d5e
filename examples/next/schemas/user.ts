// The example's session, declared once in Zod; `npm run gen` writes user.gen.ts (typed accessors) from it.
import { defineSession } from "typed-sessions";
import { z } from "zod";

export const user = defineSession({
  name: "user_sessions",
  data: z.object({
    name: z.string().max(100).describe("Who signed in; empty for nobody.").default(""),
    signedInAt: z.date().describe("When they signed in.").optional(),
    views: z.number().int().nonnegative().describe("Pages viewed (what a Server Component cannot count).").default(0),
  }),
});
