// The child of bench/http-instructions.ts, run under callgrind: `requests` warm-up requests through one HTTP
// case's handler, then `requests` more, on node's own request and response objects (bench/http-loop.ts),
// each sending the cookie of an existing session. Two runs with different counts differ by the extra
// requests' instructions alone: startup, module loading and warm-up cancel.
import { makeApp } from "./http-server.ts";
import { callHandler, firstCookie } from "./http-loop.ts";

const [name = "ts-cookie", count = "1000"] = process.argv.slice(2);
const requests = Number(count);
const app = await makeApp(name as Parameters<typeof makeApp>[0]);
const cookie = await firstCookie(app.handler);
for (let i = 0; i < 2 * requests; i++) await callHandler(app.handler, cookie);
app.cleanup?.();
