import { expect } from "vitest";
import { CookieClient } from "./cookie-client.ts";

/** The CSRF routes each adapter test serves: GET /form renders the token, POST /submit checks the `_csrf` field (403 otherwise). */
export const CSRF_FIELD = "_csrf";

/**
 * Drives an app serving the CSRF routes: the form's token is accepted on POST; a wrong or missing token, a
 * POST with no session, and another session's token are refused with 403.
 */
export async function expectCsrfFlow(baseUrl: string): Promise<void> {
  const client = new CookieClient(baseUrl);
  const form = await client.request("/form");
  expect(form.status).toBe(200);
  const token = /name="_csrf" value="([A-Za-z0-9_-]{43})"/.exec(form.body)?.[1];
  expect(token).toBeDefined();
  expect(form.setCookies).toHaveLength(1); // the token was saved with the session

  expect((await client.request("/submit", { method: "POST", form: { [CSRF_FIELD]: token ?? "" } })).status).toBe(200);
  expect((await client.request("/submit", { method: "POST", form: { [CSRF_FIELD]: "x".repeat(43) } })).status).toBe(403);
  expect((await client.request("/submit", { method: "POST", form: { other: "1" } })).status).toBe(403);
  expect((await new CookieClient(baseUrl).request("/submit", { method: "POST", form: { [CSRF_FIELD]: token ?? "" } })).status).toBe(403); // no session
  const stranger = new CookieClient(baseUrl); // a session of its own: another session's token is refused
  await stranger.request("/form");
  expect((await stranger.request("/submit", { method: "POST", form: { [CSRF_FIELD]: token ?? "" } })).status).toBe(403);
  expect((await client.request("/submit", { method: "POST", form: { [CSRF_FIELD]: token ?? "" } })).status).toBe(200);
}

/** The form GET /form renders. */
export function csrfForm(token: string): string {
  return `<form method="post" action="/submit"><input type="hidden" name="${CSRF_FIELD}" value="${token}"><button>Send</button></form>`;
}
