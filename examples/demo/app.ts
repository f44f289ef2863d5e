import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import { type Store, csrfToken, saveAll, verifyCsrfToken } from "typed-sessions";
import { type DemoSession, demo } from "../../schemas/demo.gen.ts";

/** Options of {@link createDemoServer}. */
export interface DemoOptions {
  /** Where sessions live. */
  store: Store;
}

type Handler = (session: DemoSession, req: IncomingMessage, res: ServerResponse) => Promise<string | void>;

const REMEMBER_ME = 30 * 24 * 60 * 60;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let body = "";
  for await (const chunk of req) {
    body += String(chunk);
    if (body.length > 10_000) throw new Error("form too large");
  }
  return new URLSearchParams(body);
}

function redirect(res: ServerResponse, to: string): void {
  res.statusCode = 303;
  res.setHeader("Location", to);
}

/** The hidden field carrying the session's CSRF token (stored in the session on first use). */
function csrfField(session: DemoSession): string {
  return `<input type="hidden" name="_csrf" value="${csrfToken(session)}">`;
}

function loginForm(session: DemoSession): string {
  return `<form method="post" action="/login">
${csrfField(session)}
<label>Name <input name="username" required></label>
<label><input type="checkbox" name="remember" value="on"> Remember me</label>
<button type="submit">Log in</button>
</form>`;
}

function logoutForm(session: DemoSession): string {
  return `<form method="post" action="/logout">${csrfField(session)}<button type="submit">Log out</button></form>`;
}

/** Answers 403 unless the form carries the session's CSRF token; returns whether it did. */
function checkCsrf(session: DemoSession, form: URLSearchParams, res: ServerResponse): boolean {
  if (verifyCsrfToken(session, form.get("_csrf"))) return true;
  res.statusCode = 403;
  return false;
}

const FORBIDDEN = "Forbidden: the form's CSRF token is missing or stale; reload the page and try again.";

/** The seed's routes: each gets the request's typed session (schemas/demo.ts) and returns the body text. */
const routes: Record<string, Handler> = {
  "GET /": async (session) => {
    const user = session.user;
    const flashes = session.flashes().map((f) => `<p class="flash">${escapeHtml(f)}</p>`).join("");
    return user === undefined
      ? `${flashes}<p>Not logged in. <a href="/login">Log in</a></p>`
      : `${flashes}<p>Hello, ${escapeHtml(user)}.</p>${logoutForm(session)}`;
  },
  "GET /set": async (session) => {
    session.name = "kataras";
    return "All ok session set to: kataras";
  },
  "GET /get": async (session) => `The name on the /set was: ${session.name}`,
  "GET /clear": async (session) => {
    session.delete("name");
    return "Cleared the name";
  },
  "GET /flash": async (session) => {
    session.addFlash("Hello, flash!");
    return "Added a flash message; read it once at /flashes";
  },
  "GET /flashes": async (session) => JSON.stringify(session.flashes()),
  "GET /login": async (session) => loginForm(session),
  "POST /login": async (session, req, res) => {
    const form = await readForm(req);
    if (!checkCsrf(session, form, res)) return FORBIDDEN;
    const user = (form.get("username") ?? "").trim().slice(0, 100);
    if (user === "") return loginForm(session);
    session.user = user;
    // Kept with the session, so later saves re-send the same kind of cookie. 0 = until the browser closes.
    session.cookie.maxAge = form.get("remember") === "on" ? REMEMBER_ME : 0;
    session.addFlash(`Welcome, ${user}!`);
    await session.regenerate(); // a new id at login (and saved): defeats session fixation; rotates the CSRF token
    redirect(res, "/");
  },
  // Logging out changes state, so it is a POST with the CSRF token: a link or an <img> on another site cannot do it.
  "GET /logout": async (_session, _req, res) => {
    res.statusCode = 405;
    res.setHeader("Allow", "POST");
    return "Log out with the button on the home page (POST /logout).";
  },
  "POST /logout": async (session, req, res) => {
    if (!checkCsrf(session, await readForm(req), res)) return FORBIDDEN;
    await session.destroy();
    redirect(res, "/");
  },
};

/**
 * Creates (without starting) the demo's node:http server: `/set`, `/get`, `/clear`, `/flash`, `/flashes`,
 * `/login` (form, regenerate, flash, redirect) and `POST /logout` (destroy); both forms carry the session's
 * CSRF token and a POST without it gets 403.
 * @example createDemoServer({ store }).listen(8080);
 */
export function createDemoServer(options: DemoOptions): Server {
  const mySessions = demo.sessions(options.store);
  return createServer(async (req, res) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    const handler = routes[`${req.method} ${path}`];
    if (handler === undefined) {
      res.statusCode = 404;
      res.end("Not found");
      return;
    }
    try {
      const session = await mySessions.get(req, res);
      const body = await handler(session, req, res);
      // Saves what changed, skipping destroyed sessions; visitors with nothing stored get no cookie or file.
      await saveAll(req, res);
      res.setHeader("Content-Type", body?.startsWith("<") ? "text/html; charset=utf-8" : "text/plain; charset=utf-8");
      res.end(body ?? "");
    } catch (err) {
      console.error(err);
      if (!res.headersSent) res.statusCode = 500;
      res.end("Internal error");
    }
  });
}
