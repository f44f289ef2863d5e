// The floor of the HTTP benchmark's cookie case: the least an encrypted cookie session can do on node:http,
// written with node:crypto and the `cookie` package and no session library. One AES-256-CTR pass with a
// random IV and one HMAC-SHA256 (encrypt-then-MAC) each way, one base64url pass, `{"count":n}` as JSON, and
// the same 30-day `Set-Cookie` attributes as typed-sessions' default. It carries less than gorilla's format
// (no timestamp, so no max age; no cookie name under the MAC; one base64 pass instead of two), so a session
// library can at best match it.
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { parseCookie, stringifySetCookie } from "cookie";

const NAME = "raw";
const MAX_AGE = 30 * 24 * 60 * 60;
const IV_LENGTH = 16;
const MAC_LENGTH = 32;

/** Returns the handler: read the counter from the cookie (if authentic), increment it, re-seal it, answer. */
export function rawCookieApp(
  hashKey: Buffer,
  blockKey: Buffer,
  answer: (res: ServerResponse, count: number) => void,
): (req: IncomingMessage, res: ServerResponse) => void {
  const mac = (data: Buffer) => createHmac("sha256", hashKey).update(data).digest();

  function open(value: string | undefined): number {
    if (value === undefined) return 0;
    const sealed = Buffer.from(value, "base64url");
    if (sealed.length <= IV_LENGTH + MAC_LENGTH) return 0;
    const body = sealed.subarray(0, sealed.length - MAC_LENGTH);
    if (!timingSafeEqual(sealed.subarray(sealed.length - MAC_LENGTH), mac(body))) return 0;
    const decipher = createDecipheriv("aes-256-ctr", blockKey, body.subarray(0, IV_LENGTH));
    const json = Buffer.concat([decipher.update(body.subarray(IV_LENGTH)), decipher.final()]).toString("utf8");
    const count = (JSON.parse(json) as { count?: unknown }).count;
    return typeof count === "number" ? count : 0;
  }

  function seal(count: number): string {
    const iv = randomBytes(IV_LENGTH);
    const cipher = createCipheriv("aes-256-ctr", blockKey, iv);
    const body = Buffer.concat([iv, cipher.update(JSON.stringify({ count }), "utf8"), cipher.final()]);
    return Buffer.concat([body, mac(body)]).toString("base64url");
  }

  return (req, res) => {
    const header = req.headers.cookie;
    const count = open(header === undefined ? undefined : parseCookie(header)[NAME]) + 1;
    const expires = new Date(Date.now() + MAX_AGE * 1000);
    res.setHeader(
      "Set-Cookie",
      stringifySetCookie({ name: NAME, value: seal(count), path: "/", httpOnly: true, secure: true, sameSite: "lax", maxAge: MAX_AGE, expires }),
    );
    answer(res, count);
  };
}
