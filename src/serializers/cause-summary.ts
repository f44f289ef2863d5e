import { copyError } from "../stores/error-copy.ts";

/**
 * Describes why a serializer failed, for an error message, without the data: V8's JSON errors quote the
 * input around the fault (`Unexpected token 'u', "user=alice"... is not valid JSON`), and decoded session
 * data must not reach logs through a message ({@link scrubbedCause} stands for the error as the `cause`).
 */
export function causeSummary(cause: unknown): string {
  if (cause instanceof SyntaxError) return "SyntaxError: not valid JSON";
  if (cause instanceof Error) return cause.message;
  return String(cause);
}

/** The built-in error classes a scrubbed copy keeps (so `instanceof SyntaxError` still holds). */
const NATIVE_ERRORS: readonly ErrorConstructor[] = [SyntaxError, TypeError, RangeError, ReferenceError, EvalError, URIError];

/**
 * Returns a stand-in for a serializer's error, for a `deserialize_failed` error's `cause`, that carries no
 * decoded data: V8's JSON errors quote the input, and other errors may hold values in their message or
 * fields (Node's URL errors keep the `input`). The copy keeps the name, the class when a built-in one, and
 * the stack frames; its message is generic, and it has no other fields and no cause.
 */
export function scrubbedCause(cause: unknown): Error {
  const source = cause instanceof Error ? cause : new Error("not an Error");
  const message = "the serializer's own message is withheld: it may quote the session data";
  const frames = (source.stack ?? "").split("\n").filter((line) => /^\s+at /.test(line));
  const copy = copyError(source, message, [`${source.name}: ${message}`, ...frames].join("\n"), {});
  const native = NATIVE_ERRORS.find((type) => source instanceof type);
  if (native !== undefined) Object.setPrototypeOf(copy, native.prototype);
  return copy;
}
