/**
 * Puts `String.prototype` back into V8's fast-property mode. ioredis defines `class VerbatimString extends
 * String` (its RESP3 replies), and subclassing String leaves String.prototype a dictionary-mode object in
 * V8 (Node 20's V8 11.3): from then on every string method call in optimized code (`text.indexOf`,
 * `charCodeAt`, `startsWith`…, ours, ioredis's and the application's) looks its method up generically
 * instead of as a constant. V8 turns a prototype fast again when a property load through an object that
 * inherits from it caches (and it then stays fast, later subclasses included); that is all this does: a
 * few plain reads, nothing observable changes. Feedback is allocated only after some calls of a function,
 * hence the loop.
 */
export function restoreFastStringPrototype(): void {
  const heir: unknown = Object.create(String.prototype);
  for (let i = 0; i < CALLS; i++) readIndexOf(heir);
}

/** Calls of {@link readIndexOf}: V8 allocates a function's feedback after 8 calls, and caches the load at the next. */
const CALLS = 32;

function readIndexOf(heir: unknown): unknown {
  return (heir as { indexOf: unknown }).indexOf;
}
