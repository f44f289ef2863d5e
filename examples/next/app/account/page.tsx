// Behind the proxy (proxy.ts sends visitors without a session to /login); a Server Component reading the
// typed session: signedInAt comes back as a Date.
import { cookies } from "next/headers";
import { users } from "@/lib/sessions";
import { logout } from "../actions";

export default async function Account() {
  const session = await users.get(await cookies());
  return (
    <main>
      <h1>Account</h1>
      <p id="who">Signed in as {session.name}</p>
      <p id="since">since {session.signedInAt instanceof Date ? session.signedInAt.toISOString() : "(no date)"}</p>
      <form action={logout}>
        <button type="submit">Sign out</button>
      </form>
    </main>
  );
}
