/**
 * Runs async tasks one at a time per key, in call order (a promise chain per key). A key's entry is
 * deleted once its last task has settled, so the map holds only keys with work pending or running and
 * cannot grow without bound. A task that throws does not block the ones after it. In-process only.
 */
export class KeyedLock {
  readonly #tails = new Map<string, Promise<void>>();

  /** How many keys have a task pending or running. */
  get size(): number {
    return this.#tails.size;
  }

  /** Runs `task` after every task queued before it for `key` has settled; returns its result. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key);
    // With nothing queued the task starts at once (a synchronous throw becomes a rejection).
    const result = previous === undefined ? new Promise<T>((resolve) => resolve(task())) : previous.then(task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }
}
