import { defineSession } from "typed-sessions";
import { z } from "zod";

/**
 * The demo app's session (examples/demo): the name /set stores, who logged in, and flash messages. "Remember
 * me" needs no field: the session keeps its own cookie maxAge.
 */
export const demo = defineSession({
  name: "user_sessions",
  data: z.object({
    name: z.string().max(100).describe("Set by /set, shown by /get, emptied by /clear.").default(""),
    user: z.string().min(1).max(100).describe("Who logged in at /login; unset when logged out.").optional(),
  }),
  flash: z.string().max(100),
});
