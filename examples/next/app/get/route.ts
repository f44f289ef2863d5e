// A route handler (the seed's /get): reading needs no wrapper.
import { users } from "@/lib/sessions";

export async function GET(request: Request): Promise<Response> {
  const session = await users.get(request);
  return new Response(`The name on the /set was: ${session.name}`);
}
