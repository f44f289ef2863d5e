/** A base class whose constructor returns the object it is given, so a subclass's fields land on that object. */
class Returning {
  constructor(owner: object) {
    // The return override: a subclass constructed with `owner` adds its fields to `owner` itself.
    return owner;
  }
}

/** The private field of one slot, stamped onto owners: a fresh class per slot, so a fresh private name. */
interface Stamp<T> {
  has(owner: object): boolean;
  read(owner: object): T;
  write(owner: object, value: T): void;
  add(owner: object, value: T): void;
}

function stampOf<T>(): Stamp<T> {
  class Stamped extends Returning {
    #value: T;
    constructor(owner: object, value: T) {
      super(owner);
      this.#value = value;
    }
    static has(owner: object): boolean {
      return #value in owner;
    }
    static read(owner: object): T {
      return (owner as Stamped).#value;
    }
    static write(owner: object, value: T): void {
      (owner as Stamped).#value = value;
    }
  }
  return {
    has: Stamped.has,
    read: Stamped.read,
    write: Stamped.write,
    add: (owner, value) => void new Stamped(owner, value),
  };
}

/**
 * A value attached to an object for as long as the object lives, like a `WeakMap` entry, but kept in a
 * private field stamped onto the object itself (a class's return-override), which only this slot can
 * name. For short-lived keys (one request, one response, one session) that is far cheaper: each `WeakMap`
 * entry of such a key costs the garbage collector ephemeron work, about a microsecond in all, and even a
 * non-enumerable symbol property (`Object.defineProperty`) some 400 ns a request, where a private field
 * costs next to nothing. It is invisible to `Object.keys`, `Object.getOwnPropertySymbols`, `JSON.stringify`,
 * spreads, `Object.assign` and proxies' traps, and only the object's own field counts (an object made with
 * `Object.create(owner)` has its own slot; a proxy and its target are two owners, as two `WeakMap` keys are). An object that takes no private field (the runtime refuses one
 * on a non-extensible object, as a proposed rule would have it) falls back to a `WeakMap`, so every object works.
 * @example
 * const contexts = new ObjectSlot<Context>("typed-sessions.context");
 * contexts.set(res, ctx);
 * contexts.get(res); // ctx
 */
export class ObjectSlot<T> {
  /** What `util.inspect` would never show: kept for debuggers and error messages. */
  readonly description: string;
  readonly #stamp = stampOf<T>();
  readonly #fallback = new WeakMap<object, T>();
  /** Whether any value went to the fallback map (until then, lookups skip it). */
  #fallbackUsed = false;
  /** Whether any value was ever set (until then, lookups answer at once: most slots of a process stay empty). */
  #used = false;

  /** @param description what the slot holds, for debuggers */
  constructor(description: string) {
    this.description = description;
  }

  /** Returns the value attached to `owner` by {@link ObjectSlot.set}, or `undefined`. */
  get(owner: object): T | undefined {
    // Not an object (a JavaScript caller's string, say): nothing is attached, as a WeakMap would answer.
    if (!this.#used || (typeof owner !== "object" && typeof owner !== "function") || owner === null) return undefined;
    if (this.#stamp.has(owner)) return this.#stamp.read(owner);
    return this.#fallbackUsed ? this.#fallback.get(owner) : undefined;
  }

  /** Attaches `value` to `owner`, replacing any value attached before. */
  set(owner: object, value: T): void {
    this.#used = true;
    const stamp = this.#stamp;
    if (stamp.has(owner)) return stamp.write(owner, value);
    if (this.#fallbackUsed && this.#fallback.has(owner)) {
      this.#fallback.set(owner, value);
      return;
    }
    try {
      stamp.add(owner, value);
    } catch {
      // A runtime that refuses private fields on non-extensible objects: keep it beside the object.
      this.#fallbackUsed = true;
      this.#fallback.set(owner, value);
    }
  }
}
