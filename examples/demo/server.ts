// `npm start`: the seed's session example on node:http.
import { createDemoServer } from "./app.ts";
import { loadDemoKeys } from "./keys.ts";
import { createDemoStore } from "./store.ts";

const port = Number(process.env["PORT"] ?? 8080);
// Loopback only unless HOST says otherwise: the demo may run on generated development keys.
const host = process.env["HOST"] ?? "127.0.0.1";
const store = await createDemoStore(process.env["SESSION_STORE"], loadDemoKeys(process.env));
createDemoServer({ store }).listen(port, host, () => {
  const shown = host.includes(":") ? `[${host}]` : host;
  console.log(`typed-sessions demo on http://${shown}:${port} (store: ${process.env["SESSION_STORE"] ?? "cookie"}): try /set, /get, /clear, /flash, /flashes, /login, /logout`);
});
