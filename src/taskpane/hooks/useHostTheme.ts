import { useEffect, useState } from "react";
import type { HostThemeKind, MailboxHost } from "../office/mailboxHost";

/** The host's theme (light, dark or high contrast), following theme changes where the host reports them. */
export function useHostTheme(host: MailboxHost, initial: HostThemeKind = "light"): HostThemeKind {
  const [kind, setKind] = useState<HostThemeKind>(initial);

  useEffect(() => {
    let active = true;
    let unsubscribe: (() => void) | null = null;
    host.getTheme().then(
      (theme) => active && setKind(theme.kind),
      () => undefined, // keep the default theme when the host cannot report one
    );
    host
      .onThemeChanged((theme) => active && setKind(theme.kind))
      .then(
        (stop) => {
          if (active) unsubscribe = stop;
          else stop();
        },
        () => undefined,
      );
    return () => {
      active = false;
      unsubscribe?.();
    };
  }, [host]);

  return kind;
}
