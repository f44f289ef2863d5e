import { CookieStore } from "../../src/stores/cookie-store.ts";
import { describeStoreContract } from "./contract.ts";

describeStoreContract("CookieStore", async () => ({
  serverSide: false,
  make: ({ keys, now, onError, cookie }) => new CookieStore({ keys, now, onError, cookie, signedOnly: true }),
  cleanup: async () => {},
}));
