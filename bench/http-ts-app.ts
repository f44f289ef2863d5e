// The typed-sessions cases of the HTTP benchmark: the public API a user writes on node:http, over a built
// copy of the library (this repository's dist/ or another commit's: see loadTypedSessions), so that two
// builds can run the same handler in one benchmark.
import { execFileSync } from "node:child_process";
import type { IncomingMessage, ServerResponse } from "node:http";
import { dirname, join, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type * as TypedSessions from "typed-sessions";

/** The library's main entry, as the handlers use it (the type is this checkout's; the code is the build's). */
export type TypedSessionsLibrary = Pick<typeof TypedSessions, "CookieStore" | "FilesystemStore" | "sessions">;

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Where a build's main entry is: `spec` names the entry file (`…/dist/src/index.js`) or a checkout whose
 * `dist/src/index.js` it is (`/tmp/old-ts`); `undefined` means this checkout's build (`npm run bench` builds it).
 */
export function libraryPath(spec: string | undefined): string {
  const path = resolve(spec ?? join(here, ".."));
  return path.endsWith(".js") ? path : join(path, "dist", "src", "index.js");
}

/**
 * Names a build for the tables: the short commit of its checkout (with `+changes` when the work tree
 * differs from it), else its path.
 */
export function libraryTag(spec: string | undefined): string {
  const path = libraryPath(spec);
  const root = path.includes(`${sep}dist${sep}`) ? path.slice(0, path.lastIndexOf(`${sep}dist${sep}`)) : dirname(path);
  try {
    const git = (...args: string[]) => execFileSync("git", ["-C", root, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const dirty = git("status", "--porcelain", "--untracked-files=no", "--", "src") === "" ? "" : "+changes";
    return `${git("rev-parse", "--short", "HEAD")}${dirty}`;
  } catch {
    return path;
  }
}

/** Loads a built typed-sessions (see {@link libraryPath}); never the TypeScript sources. */
export async function loadTypedSessions(spec: string | undefined): Promise<TypedSessionsLibrary> {
  return (await import(pathToFileURL(libraryPath(spec)).href)) as TypedSessionsLibrary;
}

/**
 * Which store, with which keys (no block key: signed, not encrypted), for a cookie store whether it chunks
 * (`chunking: true`; an older build ignores the option), and for `fs` which directory.
 */
export type TsAppOptions =
  | { kind: "cookie"; hashKey: Buffer; blockKey: Buffer | undefined; chunking?: boolean | undefined }
  | { kind: "fs"; hashKey: Buffer; blockKey: Buffer; dir: string };

function storeOf(lib: TypedSessionsLibrary, options: TsAppOptions) {
  const keys = { hashKey: options.hashKey, blockKey: options.blockKey };
  return options.kind === "cookie"
    ? new lib.CookieStore({ ...keys, signedOnly: options.blockKey === undefined, ...(options.chunking === true ? { chunking: true } : {}) })
    : new lib.FilesystemStore({ ...keys, dir: options.dir });
}

/** Returns the handler: load the session, increment `count`, save, answer with the count. */
export function tsApp(
  lib: TypedSessionsLibrary,
  options: TsAppOptions,
  answer: (res: ServerResponse, count: number) => void,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const counter = lib.sessions("bench", storeOf(lib, options));
  return async (req, res) => {
    const session = await counter.get(req, res);
    const count = session.increment("count");
    await session.save();
    answer(res, count);
  };
}

/** One cart line of {@link tsReadApp}'s session. */
interface CartItem {
  sku: string;
  qty: number;
  gift: boolean;
}

/** How many lines the cart of {@link tsReadApp} holds (what it answers). */
export const CART_LINES = 16;

/**
 * Returns the handler of an unchanged session's request: load the session, read its cart (an object value:
 * since issue 13 it is handed out as a tracked view, which costs the save nothing when nothing is written), save (which writes nothing once the cart
 * exists), answer with the cart's length. The first request of a visitor stores the cart (the bench's
 * schema section's 16 lines, ≈ 700 bytes of JSON).
 */
export function tsReadApp(
  lib: TypedSessionsLibrary,
  options: TsAppOptions,
  answer: (res: ServerResponse, count: number) => void,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const carts = lib.sessions("bench", storeOf(lib, options));
  return async (req, res) => {
    const session = await carts.get(req, res);
    let cart = session.get("cart") as CartItem[] | undefined;
    if (cart === undefined) {
      cart = Array.from({ length: CART_LINES }, (_, i) => ({ sku: `SKU-${1000 + i}-BLUE-XL`, qty: (i % 3) + 1, gift: i % 5 === 0 }));
      session.set("cart", cart);
    }
    await session.save();
    answer(res, cart.length);
  };
}
