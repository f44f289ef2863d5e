import { defineSession } from "typed-sessions";
import { z } from "zod";

/** The demo's user session: who is signed in, how often they came, their cart. */
export const user = defineSession({
  name: "user_sessions",
  data: z.object({
    name: z.string().max(100).describe("Display name; empty until the user signs in.").default(""),
    visits: z.number().int().nonnegative().describe("Pages viewed in this session.").default(0),
    lastSeen: z.date().describe("When the user last viewed a page.").optional(),
    cart: z
      .array(z.object({ sku: z.string().regex(/^[A-Za-z0-9-]{1,32}$/), qty: z.number().int().positive().max(99) }))
      .max(10)
      .default([]),
  }),
  flash: z.object({ kind: z.enum(["info", "error"]), text: z.string().max(100) }),
});
