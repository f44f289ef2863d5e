import { parseSetCookie } from "cookie";

/** What one request returned: status, body, the raw Set-Cookie lines and the Location header. */
export interface ClientResponse {
  status: number;
  body: string;
  setCookies: string[];
  location: string | null;
}

/**
 * A minimal browser-like client for adapter tests: keeps a cookie jar (Max-Age ≤ 0 or a past Expires
 * deletes), sends it back, and never follows redirects so each hop can be checked.
 */
export class CookieClient {
  readonly jar = new Map<string, string>();

  constructor(readonly baseUrl: string) {}

  async request(path: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<ClientResponse> {
    const headers = new Headers();
    if (this.jar.size > 0) headers.set("cookie", [...this.jar].map(([name, value]) => `${name}=${value}`).join("; "));
    let body: string | null = null;
    if (init.form !== undefined) {
      headers.set("content-type", "application/x-www-form-urlencoded");
      body = new URLSearchParams(init.form).toString();
    }
    const response = await fetch(new URL(path, this.baseUrl), { method: init.method ?? "GET", headers, body, redirect: "manual" });
    const setCookies = response.headers.getSetCookie();
    for (const line of setCookies) {
      const cookie = parseSetCookie(line);
      const expired = (cookie.maxAge !== undefined && cookie.maxAge <= 0) || (cookie.expires !== undefined && cookie.expires.getTime() <= Date.now());
      if (expired) this.jar.delete(cookie.name);
      else this.jar.set(cookie.name, cookie.value ?? "");
    }
    return { status: response.status, body: await response.text(), setCookies, location: response.headers.get("location") };
  }
}
