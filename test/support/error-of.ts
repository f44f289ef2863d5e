import { SessionError } from "../../src/errors.ts";

/** Runs `run` and returns the SessionError it throws; fails the test when it throws nothing or something else. */
export function errorOf(run: () => unknown): SessionError {
  try {
    run();
  } catch (err) {
    if (err instanceof SessionError) return err;
    throw err;
  }
  throw new Error("expected a SessionError, nothing was thrown");
}
