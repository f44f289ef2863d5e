import type { ServerResponse } from "node:http";

type Method = "writeHead" | "write" | "end";

/**
 * Holds back the response's headers until `save()` has finished: the first `write` or `end` (and any
 * `writeHead` before them) is queued, `save()` runs (so it can still set `Set-Cookie`), then the queued calls
 * are replayed in order and the methods restored. If `save()` rejects, the queued calls are dropped and
 * `onFailure(err)` is called; when it returns a body and no headers have gone out, that body is sent.
 */
export function saveBeforeHeaders(
  res: Pick<ServerResponse, Method | "headersSent">,
  save: () => Promise<void>,
  onFailure: (err: unknown) => string | undefined,
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
    save().then(
      () => {
        restore();
        for (const call of queue) call();
      },
      (err: unknown) => {
        restore();
        // The queued response is dropped: it may describe a state (a login) that was not saved.
        const body = onFailure(err);
        if (body !== undefined && !res.headersSent) res.end(body);
      },
    );
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
