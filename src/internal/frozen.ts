// Object.isFrozen walks every property of a frozen object (some 500 instructions for a cookie's attributes),
// and the hot path asks it of the same few frozen attribute objects on every request (a store's, a
// definition's). A frozen object stays frozen, so those answers are kept.

/** The last frozen objects {@link isFrozen} found (strong references to at most this many small objects). */
const RECENT = 4;
const recent: (object | undefined)[] = new Array<object | undefined>(RECENT).fill(undefined);
let next = 0;

/** Returns `Object.isFrozen(value)`, at once for the last {@link RECENT} frozen objects it was asked about. */
export function isFrozen(value: object): boolean {
  for (let i = 0; i < RECENT; i++) if (recent[i] === value) return true;
  if (!Object.isFrozen(value)) return false;
  recent[next] = value;
  next = (next + 1) % RECENT;
  return true;
}
