// `npm start`: the seed's session example on node:http.
import { createDemoServer } from "./app.ts";
import { loadDemoKeys } from "./keys.ts";
import { createDemoStore } from "./store.ts";

const port = Number(process.env["PORT"] ?? 8080);
const store = await createDemoStore(process.env["SESSION_STORE"], loadDemoKeys(process.env));
createDemoServer({ store }).listen(port, () => {
  console.log(`typed-sessions demo on http://localhost:${port} (store: ${process.env["SESSION_STORE"] ?? "cookie"}): try /set, /get, /clear, /flash, /flashes, /login, /logout`);
});
