// A Server Component: it reads the session through cookies() (it could not save it: see /read-only).
import { cookies } from "next/headers";
import Link from "next/link";
import { users } from "@/lib/sessions";

export default async function Home() {
  const session = await users.get(await cookies());
  return (
    <main>
      <p id="greeting">{session.name === "" ? "Nobody is signed in." : `Hello, ${session.name}.`}</p>
      <ul>
        <li>
          <Link href="/login">Sign in</Link> (a Server Action) · <Link href="/account">Account</Link> (behind the proxy)
        </li>
        <li>
          Route handlers: <a href="/set">/set</a> · <a href="/get">/get</a> · <a href="/clear">/clear</a>
        </li>
        <li>
          <Link href="/read-only">A Server Component that tries to save</Link>
        </li>
      </ul>
    </main>
  );
}
