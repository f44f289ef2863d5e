import type { CookieOptions } from "./cookie-options.ts";

/**
 * What a store needs from one HTTP request: read a request cookie, append a `Set-Cookie` to the response.
 * Made by small adapters ({@link nodeContext}, {@link fetchContext}); write your own for other frameworks.
 */
export interface RequestContext {
  /**
   * The object that identifies this request: the per-request session registry is attached to it (a hidden
   * symbol property, or a WeakMap entry for a frozen object), so two contexts built for the same request
   * share their sessions.
   */
  readonly request: object;
  /** Returns the value of the request cookie `name`, or `undefined` when absent. */
  getCookie(name: string): string | undefined;
  /**
   * Appends a `Set-Cookie` header for `name` to the response (never overwriting another cookie's header;
   * a second call for the same name in one response replaces the first).
   */
  setCookie(name: string, value: string, options: CookieOptions): void;
  /**
   * Throws `headers_sent` when this response can no longer take a `Set-Cookie` header for `name`.
   * Server-side stores call it before they change stored data, so a save or regenerate that could not
   * set its cookie changes nothing. @default absent: the headers stay writable (a Fetch `Headers`)
   */
  assertCookieWritable?(name: string): void;
}
