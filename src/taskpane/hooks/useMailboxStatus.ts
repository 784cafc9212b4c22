import { useCallback, useEffect, useState } from "react";
import type { MailboxStatusDto } from "../../contract/api";
import { needsSignIn, useSession } from "../auth/SessionProvider";

export type MailboxStatusState =
  | { status: "idle" }
  | { status: "loading"; previous: MailboxStatusDto | null }
  | { status: "ready"; value: MailboxStatusDto; loadedAt: Date }
  | { status: "error"; error: unknown; previous: MailboxStatusDto | null };

/** The signed-in user's mailbox connection (GET /api/me/mailbox-status), loaded once signed in, with refresh. */
export function useMailboxStatus(): { state: MailboxStatusState; refresh: () => void } {
  const session = useSession();
  const { api, status, expire } = session;
  const [state, setState] = useState<MailboxStatusState>({ status: "idle" });
  const [request, setRequest] = useState(0);

  useEffect(() => {
    if (status !== "signed_in") return;
    let active = true;
    setState((current) => ({
      status: "loading",
      previous: current.status === "ready" ? current.value : current.status === "idle" ? null : current.previous,
    }));
    api.mailboxStatus().then(
      (value) => active && setState({ status: "ready", value, loadedAt: new Date() }),
      (error: unknown) => {
        if (!active) return;
        if (needsSignIn(error)) expire();
        setState((current) => ({
          status: "error",
          error,
          previous: current.status === "loading" ? current.previous : null,
        }));
      },
    );
    return () => {
      active = false;
    };
  }, [api, status, expire, request]);

  const refresh = useCallback(() => setRequest((n) => n + 1), []);
  return { state, refresh };
}
