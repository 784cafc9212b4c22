import { useCallback } from "react";
import { needsSignIn, useSession } from "../auth/SessionProvider";

/**
 * A failure handler for views: a "needs sign-in" failure becomes the session's expiry (the view stays on screen with
 * what was typed; the admin view's banner offers Sign in). Answers whether it did, so a poller can stop retrying.
 * `expiresSession` narrows what counts, e.g. the service account's own sign-in is not the admin's session.
 */
export function useExpireOnSignIn(
  expiresSession: (error: unknown) => boolean = needsSignIn,
): (error: unknown) => boolean {
  const { expire } = useSession();
  return useCallback(
    (error: unknown) => {
      if (!expiresSession(error)) return false;
      expire();
      return true;
    },
    [expire, expiresSession],
  );
}
