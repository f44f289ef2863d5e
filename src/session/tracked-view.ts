// Tracked views: what a session hands out for a plain object or array it holds. A view is a Proxy over the
// stored value that, before the first write through it or any view under it (a property set or deleted,
// `push`, `splice`, `sort`…), has its top-level key snapshotted, so that the save compares that key and only
// that key; a read that writes nothing costs no serialization at all. Values a view cannot watch (a Map,
// Set or Date, a class instance) are snapshotted when they are handed out (see changes.ts).

/** Reads the value a view stands for (`view[RAW]`); `undefined` on anything else. */
const RAW: unique symbol = Symbol("typed-sessions.raw");

/** What a view reports to: its session's change tracking, for one top-level key. */
export interface ViewOwner {
  /**
   * Snapshots the key's value as it is now, unless it is already snapshotted or changed: called before the
   * first write through a view, and before a value a view cannot watch is handed out.
   */
  snapshot(): void;
  /** Tells whether the key is snapshotted or changed already: its values are then handed out as they are. */
  covered(): boolean;
  /**
   * The views made for this key's values, by stored value (a value read twice gives the same view); made on
   * first use. A Map, not a WeakMap: it lives as long as its request's session, and weak maps cost the
   * garbage collector far more than their entries.
   */
  views: Map<object, object> | undefined;
  /** The Proxy handler of this key's views, made on first use. */
  handler: ProxyHandler<object> | undefined;
}

/** Tells whether `value` is a plain object or an array: what a view can watch completely. */
export function isWatchable(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === Array.prototype || proto === null;
}

/** Returns the stored value behind a view, or `value` itself. */
export function unwrap<T>(value: T): T {
  if (typeof value !== "object" || value === null) return value;
  const raw = (value as { [RAW]?: T })[RAW];
  return raw === undefined ? value : raw;
}

/** True when `target[prop]` must be handed out as it is (a frozen property: a Proxy must report it unchanged). */
function isFixed(target: object, prop: PropertyKey): boolean {
  const descriptor = Reflect.getOwnPropertyDescriptor(target, prop);
  return descriptor !== undefined && descriptor.configurable === false && descriptor.writable === false;
}

/** Returns what to hand out for `value`, read under the owner's key: a view, or the value (snapshotted when unwatchable). */
export function handOut(owner: ViewOwner, value: unknown): unknown {
  if (typeof value !== "object" || value === null || owner.covered()) return value;
  if (!isWatchable(value) || Object.isFrozen(value)) {
    owner.snapshot();
    return value;
  }
  owner.views ??= new Map();
  let view = owner.views.get(value);
  if (view === undefined) {
    view = new Proxy(value, (owner.handler ??= handlerOf(owner)));
    owner.views.set(value, view);
  }
  return view;
}

function handlerOf(owner: ViewOwner): ProxyHandler<object> {
  return {
    get(target, prop) {
      if (prop === RAW) return target;
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== "object" || value === null || isFixed(target, prop)) return value;
      return handOut(owner, value);
    },
    set(target, prop, value) {
      owner.snapshot();
      return Reflect.set(target, prop, unwrap(value), target);
    },
    deleteProperty(target, prop) {
      owner.snapshot();
      return Reflect.deleteProperty(target, prop);
    },
    defineProperty(target, prop, descriptor) {
      owner.snapshot();
      const value: unknown = descriptor.value;
      return Reflect.defineProperty(target, prop, "value" in descriptor ? { ...descriptor, value: unwrap(value) } : descriptor);
    },
    setPrototypeOf(target, proto) {
      owner.snapshot();
      return Reflect.setPrototypeOf(target, proto);
    },
  };
}
