/**
 * A value attached to an object for as long as the object lives, like a `WeakMap` entry, but kept in a
 * non-enumerable property of the object itself under a symbol only this slot knows. For short-lived keys
 * (one request, one response, one session) that is far cheaper: each `WeakMap` entry of such a key costs
 * the garbage collector ephemeron work, about a microsecond in all, where a property costs a few hundred
 * nanoseconds. The property is invisible to `Object.keys`, `JSON.stringify`, spreads and `Object.assign`,
 * and only the object's own property counts (an object made with `Object.create(owner)` has its own slot).
 * Objects that take no new property (frozen, sealed, non-extensible, or a proxy that refuses) fall back to
 * a `WeakMap`, so every object works.
 * @example
 * const contexts = new ObjectSlot<Context>("typed-sessions.context");
 * contexts.set(res, ctx);
 * contexts.get(res); // ctx
 */
export class ObjectSlot<T> {
  readonly #key: symbol;
  readonly #fallback = new WeakMap<object, T>();
  /** Whether any value went to the fallback map (until then, lookups skip it). */
  #fallbackUsed = false;

  /** @param description the symbol's description, shown by `util.inspect` and debuggers */
  constructor(description: string) {
    this.#key = Symbol(description);
  }

  /** Returns the value attached to `owner` by {@link ObjectSlot.set}, or `undefined`. */
  get(owner: object): T | undefined {
    if (this.#fallbackUsed && this.#fallback.has(owner)) return this.#fallback.get(owner);
    const value = (owner as { [key: symbol]: T | undefined })[this.#key];
    return value !== undefined && Object.hasOwn(owner, this.#key) ? value : undefined;
  }

  /** Attaches `value` to `owner`, replacing any value attached before. */
  set(owner: object, value: T): void {
    if (Object.isExtensible(owner) || Object.hasOwn(owner, this.#key)) {
      try {
        Object.defineProperty(owner, this.#key, { value, configurable: true, enumerable: false, writable: true });
        if (this.#fallbackUsed) this.#fallback.delete(owner);
        return;
      } catch {
        // Frozen since the last set, or a proxy whose defineProperty trap refuses: keep it beside the object.
      }
    }
    this.#fallbackUsed = true;
    this.#fallback.set(owner, value);
  }
}
