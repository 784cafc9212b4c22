import { createContext, useContext, type ReactNode } from "react";
import type { MailboxHost } from "../office/mailboxHost";

const MailboxHostContext = createContext<MailboxHost | null>(null);

export function MailboxHostProvider({ host, children }: { host: MailboxHost; children: ReactNode }) {
  return <MailboxHostContext.Provider value={host}>{children}</MailboxHostContext.Provider>;
}

/** The host (Outlook or the browser preview) the pane was started with. */
export function useMailboxHost(): MailboxHost {
  const host = useContext(MailboxHostContext);
  if (!host) throw new Error("useMailboxHost must be used inside <MailboxHostProvider>");
  return host;
}
