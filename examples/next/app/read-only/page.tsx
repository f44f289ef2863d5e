// A Server Component can read a session but not save it: Next.js lets no cookie be set while rendering, so
// save() rejects with cookies_read_only (a usage error) instead of losing the change silently.
import { cookies } from "next/headers";
import { isSessionError } from "typed-sessions";
import { users } from "@/lib/sessions";

export default async function ReadOnly() {
  const session = await users.get(await cookies());
  session.views += 1;
  try {
    await session.save();
    return <p id="outcome">saved</p>;
  } catch (err) {
    if (!isSessionError(err, "cookies_read_only")) throw err;
    return (
      <p id="outcome" data-code={err.code} data-kind={err.kind}>
        {err.message}
      </p>
    );
  }
}
