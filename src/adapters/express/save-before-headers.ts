import type { OutgoingHttpHeader, ServerResponse } from "node:http";
import { writeThrough } from "../../http/node.ts";

type Shown = "headersSent" | "writableEnded";
type Sent = { statusCode: number; statusMessage: string };

/** What {@link saveBeforeHeaders} calls when something goes wrong. */
export interface SaveBeforeHeadersHooks {
  /**
   * `save()` rejected: the queued calls were dropped (they may describe a state, such as a login, that was
   * not saved). Return a body to send it when no headers have gone out.
   */
  saveFailed(err: unknown): string | undefined;
  /**
   * A replayed call threw (an invalid header value or status code, as node:http refuses in `writeHead`), or
   * `saveFailed` did: hand the error to the framework's error path, as if the handler had thrown it.
   */
  failed(err: unknown): void;
}

/** node:http's error for touching the headers once they are out (its class is internal to node). */
function headersSentError(action: "set" | "remove" | "append" | "write"): Error {
  return Object.assign(new Error(`Cannot ${action} headers after they are sent to the client`), { code: "ERR_HTTP_HEADERS_SENT" });
}

/** The getter `name` has on `res`'s prototypes (node's own, under any property defined on `res` itself). */
function inheritedGetter(res: object, name: Shown): (() => unknown) | undefined {
  for (let proto = Object.getPrototypeOf(res) as object | null; proto !== null; proto = Object.getPrototypeOf(proto) as object | null) {
    const descriptor = Object.getOwnPropertyDescriptor(proto, name);
    if (descriptor !== undefined) return descriptor.get;
  }
  return undefined;
}

function setCookieLines(value: unknown): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value.map(String) : [String(value)];
}

/** The [name, value] pairs of `writeHead`'s headers argument: an object, a flat [name, value, …] array, or pairs. */
function headerPairs(headers: unknown): Array<[string, unknown]> {
  if (headers === undefined || headers === null) return [];
  if (!Array.isArray(headers)) return Object.entries(headers as Record<string, unknown>);
  if (headers.length > 0 && Array.isArray(headers[0])) return (headers as Array<[string, unknown]>).map(([name, value]) => [name, value]);
  const pairs: Array<[string, unknown]> = [];
  for (let i = 0; i < headers.length; i += 2) pairs.push([String(headers[i]), headers[i + 1]]);
  return pairs;
}

/**
 * Holds back the response's headers until `save(statusCode)` has finished: the first `write` or `end` (and
 * any `writeHead` before them) is queued, `save()` runs (so it can still set `Set-Cookie`), then the queued
 * calls are replayed in order and the methods restored. Nothing it runs later can reject unhandled: failures
 * go to `hooks`, and a failure of `hooks.failed` itself destroys the response.
 *
 * Meanwhile the handler sees the response as node:http would show it: from its first `writeHead`, `write`
 * or `end`, `headersSent` is true and `setHeader`, `removeHeader`, `appendHeader` and a second `writeHead`
 * throw `ERR_HTTP_HEADERS_SENT`; after `end`, `writableEnded` is true; a later `statusCode` is ignored; and
 * calls after `end` are replayed after it, so node treats them as it does (a bare `end()` is ignored). The
 * headers given to `writeHead` are set at once, as node does, except that its `Set-Cookie` lines are added
 * to those already set, so the sessions' lines (set by `save`, through {@link writeThrough}) are kept.
 */
export function saveBeforeHeaders(res: ServerResponse, save: (statusCode: number) => Promise<void>, hooks: SaveBeforeHeadersHooks): void {
  const held = { writeHead: res.writeHead, write: res.write, end: res.end };
  const guarded = { setHeader: res.setHeader, removeHeader: res.removeHeader, appendHeader: res.appendHeader };
  const queue: Array<() => void> = [];
  let state: "open" | "saving" | "done" = "open";
  /** The status the handler's response went out with, once it wrote headers, a body or its end. */
  let sent: Sent | undefined;
  let ended = false;

  const setHeader = (name: string, value: number | string | readonly string[]) => guarded.setHeader.call(res, name, value);
  const realHeadersSent = () => (sent === undefined || state === "done" ? res.headersSent : inheritedGetter(res, "headersSent")?.call(res) === true);
  writeThrough(res, {
    getHeader: (name) => res.getHeader(name),
    setHeader,
    get headersSent() {
      return realHeadersSent();
    },
  });

  /** From the handler's first writeHead/write/end on, the response looks sent to it. */
  const markSent = (): Sent => {
    if (sent !== undefined) return sent;
    sent = { statusCode: res.statusCode, statusMessage: res.statusMessage };
    const refuse = (action: "set" | "remove" | "append") => () => {
      throw headersSentError(action);
    };
    res.setHeader = refuse("set");
    res.removeHeader = refuse("remove");
    if (guarded.appendHeader !== undefined) res.appendHeader = refuse("append");
    Object.defineProperty(res, "headersSent", { configurable: true, get: () => true });
    Object.defineProperty(res, "writableEnded", { configurable: true, get: () => ended });
    return sent;
  };
  const restore = () => {
    state = "done";
    Object.assign(res, held);
    if (sent === undefined) return;
    res.setHeader = guarded.setHeader;
    res.removeHeader = guarded.removeHeader;
    if (guarded.appendHeader !== undefined) res.appendHeader = guarded.appendHeader;
    delete (res as Partial<Record<Shown, boolean>>).headersSent;
    delete (res as Partial<Record<Shown, boolean>>).writableEnded;
    // Assigned after the handler's first write: ignored, as node ignores it once the headers are out.
    res.statusCode = sent.statusCode;
    res.statusMessage = sent.statusMessage;
  };
  const start = (statusCode: number) => {
    if (state !== "open") return;
    state = "saving";
    save(statusCode)
      .then(
        () => {
          restore();
          for (const call of queue) call(); // a throw stops the replay: the rest would build on a failed call
        },
        (err: unknown) => {
          restore();
          const body = hooks.saveFailed(err);
          if (body !== undefined && !res.headersSent) res.end(body);
        },
      )
      .catch((err: unknown) => {
        try {
          hooks.failed(err);
        } catch (again) {
          res.destroy(again instanceof Error ? again : undefined);
        }
      });
  };
  const hold = (method: "write" | "end") =>
    function (this: unknown, ...args: unknown[]) {
      const call = () => (held[method] as (...a: unknown[]) => unknown).apply(res, args);
      if (state === "done") return call();
      const { statusCode } = markSent();
      if (method === "end") ended = true;
      queue.push(call);
      start(statusCode);
      return method === "write" ? true : res;
    } as never;

  res.writeHead = function (this: unknown, ...args: unknown[]) {
    if (state === "done") return (held.writeHead as (...a: unknown[]) => ServerResponse).apply(res, args);
    if (sent !== undefined) throw headersSentError("write");
    const [statusCode, reason, headers] = args;
    const message = typeof reason === "string" ? reason : undefined;
    // Set now, as node does (an invalid header throws here, in the handler); Set-Cookie lines are added.
    for (const [name, value] of headerPairs(message === undefined ? (reason ?? headers) : headers)) {
      if (name.toLowerCase() === "set-cookie") setHeader("Set-Cookie", [...setCookieLines(res.getHeader("set-cookie")), ...setCookieLines(value)]);
      else setHeader(name, value as OutgoingHttpHeader);
    }
    const status = markSent();
    status.statusCode = statusCode as number;
    if (message !== undefined) status.statusMessage = message;
    queue.push(() => (held.writeHead as (...a: unknown[]) => unknown).apply(res, message === undefined ? [statusCode] : [statusCode, message]));
    return res;
  } as never;
  res.write = hold("write");
  res.end = hold("end");
}
