import { useCallback, useRef, useState } from "react";
import { needsSignIn } from "../auth/SessionProvider";
import { useExpireOnSignIn } from "./useExpireOnSignIn";

export type ActionResult<R> = { ok: true; value: R } | { ok: false; error: unknown };

export interface Action<A extends unknown[], R> {
  /** Performs the action; never rejects: the result says how it went (and `error` keeps the failure). */
  run: (...args: A) => Promise<ActionResult<R>>;
  pending: boolean;
  /** The last run's failure, null after a success, a new run or reset(). */
  error: unknown;
  reset: () => void;
}

/**
 * A mutation from a view (save, add, export…): pending while it runs, its failure kept for the view to show, and a
 * "needs sign-in" failure turned into the session's expiry, so views write no catch of their own for it.
 */
export function useAction<A extends unknown[], R>(
  perform: (...args: A) => Promise<R>,
  { expiresSession = needsSignIn }: { expiresSession?: (error: unknown) => boolean } = {},
): Action<A, R> {
  const expireOnSignIn = useExpireOnSignIn(expiresSession);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const inFlight = useRef(0);
  // run() stays the same function while calling the latest `perform`, which closes over the latest props.
  const latest = useRef(perform);
  latest.current = perform;

  const run = useCallback(
    async (...args: A): Promise<ActionResult<R>> => {
      inFlight.current += 1;
      setPending(true);
      setError(null);
      try {
        return { ok: true, value: await latest.current(...args) };
      } catch (failure) {
        expireOnSignIn(failure);
        setError(failure);
        return { ok: false, error: failure };
      } finally {
        inFlight.current -= 1;
        setPending(inFlight.current > 0);
      }
    },
    [expireOnSignIn],
  );

  const reset = useCallback(() => setError(null), []);
  return { run, pending, error, reset };
}
