/** A call waiting for its answer: when it expires (on `performance.now()`'s clock) and what it does then. */
interface Waiting {
  readonly at: number;
  readonly expire: () => void;
  prev: Waiting | undefined;
  next: Waiting | undefined;
}

/**
 * The calls waiting under one timeout, oldest first. Every call of the list has the same timeout, so the
 * oldest always expires first: one timer, armed for the oldest, serves them all, where a timer per call
 * cost a `setTimeout` and a `clearTimeout` on every Redis command. Removing a call that answered is
 * O(1); the timer is unref'd (it never keeps a process alive) and stops once the list is empty.
 */
class DeadlineList {
  readonly #ms: number;
  #head: Waiting | undefined;
  #tail: Waiting | undefined;
  #armed = false;

  constructor(ms: number) {
    this.#ms = ms;
  }

  /** Adds a call made now: `expire` runs once its timeout passed, unless {@link remove}d before. */
  add(expire: () => void): Waiting {
    const waiting: Waiting = { at: performance.now() + this.#ms, expire, prev: this.#tail, next: undefined };
    if (this.#tail === undefined) this.#head = waiting;
    else this.#tail.next = waiting;
    this.#tail = waiting;
    if (!this.#armed) this.#arm(this.#ms);
    return waiting;
  }

  /** Removes a call that answered (or expired). */
  remove(waiting: Waiting): void {
    if (waiting.prev === undefined) {
      if (this.#head !== waiting) return; // removed already
      this.#head = waiting.next;
    } else waiting.prev.next = waiting.next;
    if (waiting.next === undefined) this.#tail = waiting.prev;
    else waiting.next.prev = waiting.prev;
    waiting.prev = undefined;
    waiting.next = undefined;
  }

  #arm(ms: number): void {
    this.#armed = true;
    const timer: unknown = setTimeout(this.#fire, Math.max(1, Math.ceil(ms)));
    (timer as { unref?: () => void }).unref?.();
  }

  /** Expires every call whose time is up, then waits for the oldest left (if any). */
  readonly #fire = (): void => {
    this.#armed = false;
    const now = performance.now();
    for (let head = this.#head; head !== undefined && head.at <= now; head = this.#head) {
      this.remove(head);
      head.expire();
    }
    if (this.#head !== undefined) this.#arm(this.#head.at - now);
  };
}

/** The lists by timeout, in milliseconds: the stores of one process share them. */
const lists = new Map<number, DeadlineList>();

/** Returns the list of the calls waiting under a timeout of `ms` milliseconds (> 0). */
export function deadlineList(ms: number): DeadlineList {
  let list = lists.get(ms);
  if (list === undefined) {
    list = new DeadlineList(ms);
    lists.set(ms, list);
  }
  return list;
}

export type { DeadlineList, Waiting };
