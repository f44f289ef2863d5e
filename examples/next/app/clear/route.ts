// A route handler (the seed's /clear): destroying the session expires its cookie.
import { fetchSessions } from "typed-sessions/fetch";
import { users } from "@/lib/sessions";

export const GET = fetchSessions(async (request) => {
  const session = await users.get(request);
  await session.destroy();
  return new Response("Cleared");
});
