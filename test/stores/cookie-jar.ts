import { parseSetCookie } from "cookie";
import { fetchContext } from "../../src/http/fetch.ts";
import type { FetchContext } from "../../src/http/fetch.ts";

/** A tiny browser cookie jar: feeds `Set-Cookie` lines back as a `Cookie` header, honouring deletion. */
export class CookieJar {
  readonly cookies = new Map<string, string>();

  /** Takes every `Set-Cookie` of a response; `Max-Age=0` deletes. */
  absorb(headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const cookie = parseSetCookie(line);
      if (cookie.maxAge !== undefined && cookie.maxAge <= 0) this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value ?? "");
    }
  }

  /** The `Cookie` header to send. */
  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  /** A fresh request context carrying the jar's cookies. */
  context(url = "http://127.0.0.1/"): FetchContext {
    const headers: Record<string, string> = {};
    if (this.cookies.size > 0) headers["cookie"] = this.header();
    return fetchContext(new Request(url, { headers }));
  }
}
