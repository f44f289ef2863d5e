import type { ServerResponse } from "node:http";

type Method = "writeHead" | "write" | "end";

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

/**
 * Holds back the response's headers until `save()` has finished: the first `write` or `end` (and any
 * `writeHead` before them) is queued, `save()` runs (so it can still set `Set-Cookie`), then the queued calls
 * are replayed in order and the methods restored. Nothing it runs later can reject unhandled: failures go
 * to `hooks`, and a failure of `hooks.failed` itself destroys the response.
 */
export function saveBeforeHeaders(
  res: Pick<ServerResponse, Method | "headersSent" | "destroy">,
  save: () => Promise<void>,
  hooks: SaveBeforeHeadersHooks,
): void {
  const original = { writeHead: res.writeHead, write: res.write, end: res.end };
  const queue: Array<() => void> = [];
  let state: "open" | "saving" | "done" = "open";

  const restore = () => {
    state = "done";
    res.writeHead = original.writeHead;
    res.write = original.write;
    res.end = original.end;
  };
  const start = () => {
    if (state !== "open") return;
    state = "saving";
    save()
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
  const hold = (method: Method, starts: boolean) =>
    function (this: unknown, ...args: unknown[]) {
      const call = () => (original[method] as (...a: unknown[]) => unknown).apply(res, args);
      if (state === "done") return call();
      queue.push(call);
      if (starts) start();
      return method === "write" ? true : res;
    } as never;

  res.writeHead = hold("writeHead", false);
  res.write = hold("write", true);
  res.end = hold("end", true);
}
