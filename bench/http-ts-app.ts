// The typed-sessions cases of the HTTP benchmark: the public API a user writes on node:http.
import type { IncomingMessage, ServerResponse } from "node:http";
import { CookieStore, FilesystemStore, sessions } from "typed-sessions";

/** Which store, with which keys (no block key: signed, not encrypted), and for `fs` which directory. */
export type TsAppOptions =
  | { kind: "cookie"; hashKey: Buffer; blockKey: Buffer | undefined }
  | { kind: "fs"; hashKey: Buffer; blockKey: Buffer; dir: string };

/** Returns the handler: load the session, increment `count`, save, answer with the count. */
export function tsApp(
  options: TsAppOptions,
  answer: (res: ServerResponse, count: number) => void,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const keys = { hashKey: options.hashKey, blockKey: options.blockKey };
  const store = options.kind === "cookie" ? new CookieStore({ ...keys, signedOnly: options.blockKey === undefined }) : new FilesystemStore({ ...keys, dir: options.dir });
  const counter = sessions("bench", store);
  return async (req, res) => {
    const session = await counter.get(req, res);
    const count = session.increment("count");
    await session.save();
    answer(res, count);
  };
}
