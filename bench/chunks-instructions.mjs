// The instruction count behind `npm run bench -- chunks` (bench/chunks.ts): runs the (b) counter handler or
// the (b″) unchanged-session handler of the HTTP bench, written out again here in plain JavaScript so that
// nothing but node and the built library runs, on a CookieStore with chunking off or on, for a warm-up of
// `requests` requests and then `requests` more, on node's own request and response objects. Run it under
// callgrind, which counts instructions whatever else the machine does, at two request counts: the
// difference over the extra requests is one request's instructions, startup and warm-up cancelled.
//   npm run build && valgrind --tool=callgrind --smc-check=all-non-file --callgrind-out-file=/dev/null \
//     node --single-threaded bench/chunks-instructions.mjs <counter|read> <off|on> <requests>
// (--single-threaded: no background compiler or GC threads, so the count does not hang on their timing.)
import { IncomingMessage, ServerResponse } from "node:http";
import { Socket } from "node:net";
import { CookieStore, sessions } from "../dist/src/index.js";

const [app = "counter", chunking = "off", count = "1000"] = process.argv.slice(2);
const requests = Number(count);
if (!["counter", "read"].includes(app) || !["off", "on"].includes(chunking) || !(requests > 0)) {
  console.error("usage: node --single-threaded bench/chunks-instructions.mjs <counter|read> <off|on> <requests>");
  process.exit(2);
}
// The HTTP bench's keys (bench/http-server.ts HASH_KEY, BLOCK_KEY).
const store = new CookieStore({ hashKey: Buffer.alloc(64, 7), blockKey: Buffer.alloc(32, 9), ...(chunking === "on" ? { chunking: true } : {}) });
const bench = sessions("bench", store);
const answer = (res, n) => {
  res.writeHead(200, { "content-type": "text/plain" });
  res.end(String(n));
};
/** bench/http-ts-app.ts tsApp and tsReadApp (CART_LINES = 16). */
const handler =
  app === "counter"
    ? async (req, res) => {
        const session = await bench.get(req, res);
        const n = session.increment("count");
        await session.save();
        answer(res, n);
      }
    : async (req, res) => {
        const session = await bench.get(req, res);
        let cart = session.get("cart");
        if (cart === undefined) {
          cart = Array.from({ length: 16 }, (_, i) => ({ sku: `SKU-${1000 + i}-BLUE-XL`, qty: (i % 3) + 1, gift: i % 5 === 0 }));
          session.set("cart", cart);
        }
        await session.save();
        answer(res, cart.length);
      };

const socket = new Socket();
async function call(cookie) {
  const req = new IncomingMessage(socket);
  req.method = "GET";
  req.url = "/";
  if (cookie !== undefined) req.headers = { cookie };
  const res = new ServerResponse(req);
  await handler(req, res);
  return res;
}
const first = await call(undefined);
const lines = [first.getHeader("set-cookie") ?? []].flat();
const cookie = lines.map((line) => String(line).split(";")[0]).join("; ");
if (lines.length !== 1) throw new Error(`the session took ${lines.length} cookies, expected 1`);
for (let i = 0; i < 2 * requests; i++) await call(cookie);
console.log(`${app} chunking ${chunking}: ${2 * requests + 1} requests`);
