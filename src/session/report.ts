import type { SessionError } from "../errors.ts";
import type { ErrorHook, ErrorInfo } from "./session-config.ts";

/** Calls each error hook in turn (the store's, then the session definition's); hook failures are swallowed. */
export function report(hooks: readonly (ErrorHook | undefined)[], err: SessionError, info: ErrorInfo): void {
  for (const hook of hooks) {
    if (hook === undefined) continue;
    try {
      hook(err, info);
    } catch {
      // A logging hook must not turn a recoverable decode error into a failed request.
    }
  }
}
