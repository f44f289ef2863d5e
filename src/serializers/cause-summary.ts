/**
 * Describes why a serializer failed, for an error message, without the data: V8's JSON errors quote the
 * input around the fault (`Unexpected token 'u', "user=alice"... is not valid JSON`), and decoded session
 * data must not reach logs through a message. The full error stays available as the `cause`.
 */
export function causeSummary(cause: unknown): string {
  if (cause instanceof SyntaxError) return "SyntaxError: not valid JSON";
  if (cause instanceof Error) return cause.message;
  return String(cause);
}
