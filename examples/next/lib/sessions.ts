// The user sessions of the app, in signed and encrypted cookies. The keys come from the environment
// (`npx typed-sessions keygen --block >> .env.local`) and are read on first use, at run time: `next build`
// loads this module without them.
import { CookieStore, type SessionManager, keysFromEnv } from "typed-sessions";
import { type UserSession, user } from "@/schemas/user.gen";

let manager: SessionManager<UserSession> | undefined;

/**
 * The user sessions: `await users.get(request)` in route handlers and the proxy, `await users.get(await
 * cookies())` in Server Actions and Server Components. The store is made on the first `get`.
 */
export const users: SessionManager<UserSession> = {
  name: user.definition.name,
  get(source, res) {
    manager ??= user.sessions(new CookieStore(keysFromEnv(process.env)));
    return manager.get(source, res);
  },
};
