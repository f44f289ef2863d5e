/**
 * Returns a plain `Error` standing for `err` in logs: its name, the given message, stack and cause, and only
 * the `fields` given, so that whatever else the error carried (a command's arguments, a file path holding a
 * session id) is left out.
 */
export function copyError(err: Error, message: string, stack: string, fields: Record<string, unknown>, cause?: unknown): Error {
  const copy = new Error(message, cause === undefined ? undefined : { cause });
  copy.name = err.name;
  copy.stack = stack;
  Object.assign(copy, fields);
  return copy;
}
