import { Text, makeStyles, tokens } from "@fluentui/react-components";
import type { ReactNode } from "react";
import { useCurrentItem, type CurrentItemState } from "../../hooks/useCurrentItem";
import { useMailboxHost } from "../../hooks/mailboxHostContext";
import { useMailboxUser } from "../../hooks/useMailboxUser";
import { useSession } from "../../auth/SessionProvider";
import { ItemPanel } from "./ItemPanel";

const useStyles = makeStyles({
  main: {
    display: "flex",
    flexDirection: "column",
    rowGap: tokens.spacingVerticalL,
    padding: tokens.spacingHorizontalL,
    minWidth: 0,
  },
  title: { margin: 0, fontSize: tokens.fontSizeBase500, lineHeight: tokens.lineHeightBase500 },
  user: { display: "block", color: tokens.colorNeutralForeground2, overflowWrap: "anywhere" },
  visuallyHidden: {
    position: "absolute",
    width: "1px",
    height: "1px",
    margin: "-1px",
    overflow: "hidden",
    clipPath: "inset(50%)",
    whiteSpace: "nowrap",
  },
});

/** What a screen reader hears when the item in hand changes. */
export function announcementFor(state: CurrentItemState): string {
  if (state.status === "loading") return "";
  if (state.status === "error") return "The message could not be read";
  switch (state.item.kind) {
    case "message":
      return `Showing ${state.item.message.mode === "compose" ? "draft" : "message"}: ${state.item.message.subject || "(no subject)"}`;
    case "unsupported":
      return "This item is not a message";
    case "none":
      return "No message selected";
  }
}

export interface SidebarProps {
  /** Cards shown above the message, e.g. the "Your mailbox" connection card (added by a later feature). */
  statusCards?: ReactNode;
}

/** The end user's sidebar: who is on the message in hand, updating as the selection changes. */
export function Sidebar({ statusCards }: SidebarProps) {
  const styles = useStyles();
  const host = useMailboxHost();
  const itemState = useCurrentItem(host);
  const owner = useMailboxUser(host);
  // Who is signed in to Sync Sidebar (it follows a switch of accounts), apart from whose mailbox is open.
  const session = useSession();
  const account = session.status === "signed_in" ? session.account : null;

  return (
    <main className={styles.main} aria-labelledby="sidebar-title">
      <header>
        <h1 id="sidebar-title" className={styles.title}>
          Sync Sidebar
        </h1>
        {account && (
          <Text size={200} className={styles.user} data-testid="signed-in-as">
            Signed in as{" "}
            {account.name && account.name !== account.username
              ? `${account.name} (${account.username})`
              : account.username}
          </Text>
        )}
        {owner && (
          <Text size={200} className={styles.user} data-testid="mailbox-owner">
            Mailbox: {owner.displayName} ({owner.emailAddress})
          </Text>
        )}
      </header>
      {statusCards}
      <ItemPanel state={itemState} />
      <div role="status" className={styles.visuallyHidden}>
        {announcementFor(itemState)}
      </div>
    </main>
  );
}
