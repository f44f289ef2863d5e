/**
 * The save side of a request in the schema section (issue 13): what deep-change detection (tracked views of
 * the objects handed out, which snapshot a key just before its first write; Maps, Sets and Dates snapshotted
 * when read; a compare at save) and save-time validation (`validateChanges` on the
 * changed keys: the library's `createChangeValidator`, which `bindSession` passes) cost, measured through the real objects a request uses — a typed session (the generated
 * getter's `read`) over a `SessionObject` over the lifecycle, a `CookieStore`, a request context made with
 * `createRequestContext` (no server).
 *
 * "Save side alone" rows copy the lifecycle state of a session loaded once (fresh change tracking, a fresh
 * request context) instead of decoding the cookie again, so they time the handler's read and the save and
 * nothing else; "whole request" rows load the session from its cookie (decode + the load-time Zod
 * validation) through `manager.get`, as a request does.
 */
import type { z } from "zod";
import { SessionValidationError } from "../src/errors.ts";
import { type RequestContext, createRequestContext } from "../src/http/request-context.ts";
import { bind, loadState, type SessionState } from "../src/session/lifecycle.ts";
import type { Session } from "../src/session/session.ts";
import type { SessionConfig } from "../src/session/session-config.ts";
import { SessionObject } from "../src/session/session-object.ts";
import type { Serializer } from "../src/serializers/serializers.ts";
import { CookieStore } from "../src/stores/cookie-store.ts";
import { bindSession } from "../src/typed/bind-session.ts";
import type { SessionDefinition } from "../src/typed/define-session.ts";
import { TypedSession } from "../src/typed/typed-session.ts";
import { storedSchemaOf } from "../src/typed/stored-schema.ts";
import { type AsyncBenchCase, measureAsync, printTable } from "./harness.ts";

type Item = { sku: string; qty: number; gift: boolean };
type BenchData = { user: { id: number; name: string; email: string }; cart: Item[] };

/** What `typed-sessions gen` emits for the fields the handlers here read: getters over `read`. */
class BenchSession extends TypedSession<BenchData, string> {
  get cart(): Item[] {
    return this.read("cart") as Item[];
  }
  get user(): BenchData["user"] {
    return this.read("user") as BenchData["user"];
  }
}

/** A request context over plain arrays: what a framework adapter does, minus the framework. */
function contextFor(cookieHeader: string | undefined): RequestContext & { readonly lines: string[] } {
  const lines: string[] = [];
  const ctx = createRequestContext(
    {},
    {
      cookieHeader: () => cookieHeader,
      getSetCookies: () => lines,
      setSetCookies: (next) => {
        lines.splice(0, lines.length, ...next);
      },
    },
  );
  return Object.assign(ctx, { lines });
}

/** Flips the first cart line's quantity: an in-place change a save must find. */
function changeInPlace(cart: Item[]): void {
  const first = cart[0];
  if (first !== undefined) first.qty = first.qty === 1 ? 2 : 1;
}

/**
 * Prints, for one schema, (a) a save of an unchanged session whose handler read an object field against
 * one that read none, (b) a save after an in-place change against encoding alone, (c) save-time
 * validation of the changed keys against a full-schema safeParse.
 */
export async function runSaveRows(
  label: string,
  definition: SessionDefinition,
  value: Record<string, unknown>,
  serializer: Serializer,
  encodeAlone: () => unknown,
  hashKey: Buffer,
  blockKey: Buffer,
): Promise<void> {
  const store = new CookieStore({ hashKey, blockKey });
  // bindSession passes the library's createChangeValidator as validateChanges; the "no validateChanges"
  // rows turn it off to show what it costs.
  const bound = bindSession(definition, BenchSession, serializer);
  const validateChanges = bound.config.validateChanges;
  if (validateChanges === undefined) throw new Error(`${label}: bindSession no longer passes validateChanges`);
  const checked = bound.sessions(store);
  const unchecked = bound.sessions(store, { validateChanges: undefined });
  const config: SessionConfig = bound.config;
  const binding = bind(definition.name, store, config);
  const uncheckedBinding = bind(definition.name, store, { ...config, validateChanges: undefined });

  // The cookie of an existing session holding `value`, written by a save.
  const first = contextFor(undefined);
  const fresh = await checked.get(first);
  for (const [key, v] of Object.entries(value)) fresh.untyped.set(key, v);
  await fresh.save();
  const cookie = first.lines[0]?.split(";")[0];
  if (cookie === undefined) throw new Error(`${label}: the first save set no cookie`);

  // Lifecycle state loaded once; each save-side call works on a copy with fresh change tracking.
  const loaded = await loadState(binding, contextFor(cookie), (state) => state);
  const uncheckedLoaded = await loadState(uncheckedBinding, contextFor(cookie), (state) => state);
  if (loaded.isNew) throw new Error(`${label}: the cookie did not load`);
  const copy = (state: SessionState): BenchSession => {
    const ctx = contextFor(cookie);
    const session: Session = new SessionObject({
      ...state,
      context: ctx,
      values: new Map(state.values),
      cookie: undefined,
      changed: new Set(),
      snapshots: new Map(),
      owners: undefined,
      adopted: new Set(),
    });
    return new BenchSession(session, definition);
  };
  // Checks first: an unchanged save writes nothing, an in-place change is written and validated.
  {
    const ctx = contextFor(cookie);
    const s = await checked.get(ctx);
    void s.cart;
    await s.save();
    if (ctx.lines.length !== 0) throw new Error(`${label}: an unchanged session was written`);
    const ctx2 = contextFor(cookie);
    const s2 = await checked.get(ctx2);
    changeInPlace(s2.cart);
    await s2.save();
    if (ctx2.lines.length !== 1) throw new Error(`${label}: an in-place change was not written`);
    const ctx3 = contextFor(cookie);
    const s3 = await checked.get(ctx3);
    (s3.cart[0] as { qty: unknown }).qty = "many";
    const refused = await s3.save().then(
      () => false,
      (err: unknown) => err instanceof SessionValidationError,
    );
    if (!refused || ctx3.lines.length !== 0) throw new Error(`${label}: validateChanges did not refuse a bad in-place change`);
    const ctx4 = contextFor(cookie);
    const s4 = await unchecked.get(ctx4);
    (s4.cart[0] as { qty: unknown }).qty = "many";
    await s4.save();
    if (ctx4.lines.length !== 1) throw new Error(`${label}: the session without validateChanges did not write`);
  }

  const unchangedSave: AsyncBenchCase[] = [
    { label: "save, no object value read", run: () => copy(loaded).save() },
    {
      label: "save, cart read (a tracked view, nothing written)",
      run: () => {
        const s = copy(loaded);
        void s.cart;
        return s.save();
      },
    },
    {
      label: "save, cart + user read",
      run: () => {
        const s = copy(loaded);
        void s.cart;
        void s.user;
        return s.save();
      },
    },
    {
      label: "save, every field read (toJSON)",
      run: () => {
        const s = copy(loaded);
        s.toJSON();
        return s.save();
      },
    },
  ];
  printTable(`save side of an unchanged session, ${label}: nothing is written`, await measureAsync(unchangedSave), unchangedSave[0]!.label);

  const unchangedRequest: AsyncBenchCase[] = [
    {
      label: "request: load + save, no object value read",
      run: async () => {
        const s = await checked.get(contextFor(cookie));
        return s.save();
      },
    },
    {
      label: "request: load + cart read + save",
      run: async () => {
        const s = await checked.get(contextFor(cookie));
        void s.cart;
        return s.save();
      },
    },
  ];
  printTable(`whole request, unchanged session, ${label}`, await measureAsync(unchangedRequest), unchangedRequest[0]!.label);

  const ENCODE = "encode alone (codec.encode of the values)";
  const changedSave: AsyncBenchCase[] = [
    { label: ENCODE, run: encodeAlone },
    {
      label: "store.prepare alone (payload header + serializer + codec)",
      run: () =>
        store.prepare({
          name: definition.name,
          id: "",
          record: { values: value, createdAt: loaded.createdAt, accessedAt: loaded.accessedAt, maxAge: undefined, version: config.version },
          config,
          cookie: binding.cookie,
          ttl: binding.cookie.maxAge,
          mode: "create",
          replacing: undefined,
        }),
    },
    {
      label: "save after set('cart') (validateChanges + encode)",
      run: () => {
        const s = copy(loaded);
        s.untyped.set("cart", value["cart"]);
        return s.save();
      },
    },
    {
      label: "save after in-place change, no validateChanges",
      run: () => {
        const s = copy(uncheckedLoaded);
        changeInPlace(s.cart);
        return s.save();
      },
    },
    {
      label: "save after in-place change (snapshot at first write + compare + validateChanges + encode)",
      run: () => {
        const s = copy(loaded);
        changeInPlace(s.cart);
        return s.save();
      },
    },
    {
      label: "request: load + in-place change + save",
      run: async () => {
        const s = await checked.get(contextFor(cookie));
        changeInPlace(s.cart);
        return s.save();
      },
    },
    {
      label: "request: load + in-place change + save, no validateChanges",
      run: async () => {
        const s = await unchecked.get(contextFor(cookie));
        changeInPlace(s.cart);
        return s.save();
      },
    },
  ];
  printTable(`save of a session changed in place (cart[0].qty), ${label}`, await measureAsync(changedSave), ENCODE);

  const FULL = "full-schema safeParse (the load-time schema)";
  const stored: z.ZodObject = storedSchemaOf(definition);
  const values = new Map(Object.entries(value));
  const cartOnly = new Set(["cart"]);
  const everyKey = new Set(values.keys());
  const validation: AsyncBenchCase[] = [
    { label: FULL, run: () => stored.safeParse(value) },
    { label: "createChangeValidator, changed: cart", run: () => validateChanges(values, cartOnly) },
    { label: `createChangeValidator, changed: every key (${everyKey.size})`, run: () => validateChanges(values, everyKey) },
  ];
  printTable(`save-time validation, ${label}`, await measureAsync(validation), FULL);
}
