import { useCallback, useEffect, useState } from "react";
import { needsSignIn, useSession } from "../auth/SessionProvider";

export type Resource<T> =
  | { status: "loading"; value: T | null }
  | { status: "ready"; value: T }
  | { status: "error"; error: unknown; value: T | null };

/**
 * Loads one thing from the API while signed in, keeps the last value while reloading, and reports an expired
 * session to the session (the view stays, with what the admin typed).
 */
export function useResource<T>(load: (() => Promise<T>) | null): [Resource<T>, () => void] {
  const { status, expire } = useSession();
  const [resource, setResource] = useState<Resource<T>>({ status: "loading", value: null });
  const [request, setRequest] = useState(0);

  useEffect(() => {
    if (!load || status !== "signed_in") return;
    let active = true;
    setResource((current) => ({ status: "loading", value: current.value }));
    load().then(
      (value) => active && setResource({ status: "ready", value }),
      (error: unknown) => {
        if (!active) return;
        if (needsSignIn(error)) expire();
        setResource((current) => ({ status: "error", error, value: current.value }));
      },
    );
    return () => {
      active = false;
    };
  }, [load, status, expire, request]);

  const reload = useCallback(() => setRequest((n) => n + 1), []);
  return [resource, reload];
}
