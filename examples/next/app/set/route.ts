// A route handler (the seed's /set) through the Fetch adapter: fetchSessions saves the changed session and
// puts its Set-Cookie on the Response.
import { fetchSessions } from "typed-sessions/fetch";
import { users } from "@/lib/sessions";

export const GET = fetchSessions(
  async (request) => {
    const session = await users.get(request);
    session.name = "kataras";
    return new Response(`All ok session set to: ${session.name}`);
  },
  { saveAll: true },
);
