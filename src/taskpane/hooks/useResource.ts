import { useCallback, useEffect, useState } from "react";
import { useSession } from "../auth/SessionProvider";
import { useExpireOnSignIn } from "./useExpireOnSignIn";

/** One thing loaded from the API; `value` is the last one loaded, kept while reloading and after a failure. */
export type Resource<T> =
  | { status: "loading"; value: T | null }
  | { status: "ready"; value: T }
  | { status: "error"; error: unknown; value: T | null }
  | { status: "needs_sign_in"; value: T | null };

/**
 * Loads one thing from the API while signed in (again after a new sign-in, and on reload()), and turns a "needs
 * sign-in" answer into the session's expiry, so views neither catch it nor show it as a failure. `load` is a
 * memoized call (useCallback): a new one loads again; null waits.
 */
export function useResource<T>(load: (() => Promise<T>) | null): { resource: Resource<T>; reload: () => void } {
  const { status } = useSession();
  const expireOnSignIn = useExpireOnSignIn();
  const [resource, setResource] = useState<Resource<T>>({ status: "loading", value: null });
  const [request, setRequest] = useState(0);

  useEffect(() => {
    // Signed out: what was loaded was someone's own; the next sign-in may be another account's.
    if (status === "signed_out") setResource({ status: "loading", value: null });
  }, [status]);

  useEffect(() => {
    if (!load || status !== "signed_in") return;
    let active = true;
    setResource((current) => ({ status: "loading", value: current.value }));
    load().then(
      (value) => active && setResource({ status: "ready", value }),
      (error: unknown) => {
        if (!active) return;
        const expired = expireOnSignIn(error);
        setResource((current) =>
          expired
            ? { status: "needs_sign_in", value: current.value }
            : { status: "error", error, value: current.value },
        );
      },
    );
    return () => {
      active = false;
    };
  }, [load, status, expireOnSignIn, request]);

  const reload = useCallback(() => setRequest((n) => n + 1), []);
  return { resource, reload };
}
