import { useEffect, useState } from "react";
import type { CurrentItem, MailboxHost } from "../office/mailboxHost";

export type CurrentItemState =
  { status: "loading" } | { status: "ready"; item: CurrentItem } | { status: "error"; message: string };

/** The item in hand, reloaded whenever the host reports another item (pinned pane). */
export function useCurrentItem(host: MailboxHost): CurrentItemState {
  const [state, setState] = useState<CurrentItemState>({ status: "loading" });

  useEffect(() => {
    let latestRequest = 0;
    let active = true;
    const load = () => {
      const request = ++latestRequest;
      host.getCurrentItem().then(
        (item) => {
          // A slower earlier read must not overwrite the item selected after it.
          if (active && request === latestRequest) setState({ status: "ready", item });
        },
        (error: unknown) => {
          if (active && request === latestRequest)
            setState({ status: "error", message: error instanceof Error ? error.message : String(error) });
        },
      );
    };
    load();
    let unsubscribe: (() => void) | null = null;
    host.onItemChanged(load).then(
      (stop) => {
        if (active) unsubscribe = stop;
        else stop();
      },
      () => undefined, // without item-changed events the pane still shows the item it opened on
    );
    return () => {
      active = false;
      unsubscribe?.();
    };
  }, [host]);

  return state;
}
