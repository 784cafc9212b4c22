import { useEffect, useState } from "react";
import type { MailboxHost, MailboxUser } from "../office/mailboxHost";

/** The signed-in mailbox user, or null until the host has answered (or when it cannot). */
export function useMailboxUser(host: MailboxHost): MailboxUser | null {
  const [user, setUser] = useState<MailboxUser | null>(null);

  useEffect(() => {
    let active = true;
    host.getUser().then(
      (value) => active && setUser(value),
      () => active && setUser(null),
    );
    return () => {
      active = false;
    };
  }, [host]);

  return user;
}
