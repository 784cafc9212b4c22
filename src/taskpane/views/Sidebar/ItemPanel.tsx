import { Badge, Spinner, Text, makeStyles, tokens } from "@fluentui/react-components";
import type { CurrentItemState } from "../../hooks/useCurrentItem";
import type { MailMessage } from "../../office/mailboxHost";
import { PeopleList } from "../../components/PeopleList";

const useStyles = makeStyles({
  panel: { display: "flex", flexDirection: "column", rowGap: tokens.spacingVerticalXS, minWidth: 0 },
  heading: { margin: 0, fontSize: tokens.fontSizeBase400, lineHeight: tokens.lineHeightBase400 },
  subject: { display: "block", fontWeight: tokens.fontWeightSemibold, overflowWrap: "anywhere" },
  hint: { display: "block", color: tokens.colorNeutralForeground2 },
  headingRow: { display: "flex", alignItems: "center", columnGap: tokens.spacingHorizontalS, flexWrap: "wrap" },
});

function MessageDetails({ message }: { message: MailMessage }) {
  const styles = useStyles();
  return (
    <>
      <div className={styles.headingRow}>
        <h2 id="item-heading" className={styles.heading}>
          {message.mode === "compose" ? "This draft" : "This message"}
        </h2>
        {message.mode === "compose" && (
          <Badge appearance="tint" color="informative">
            Draft
          </Badge>
        )}
      </div>
      <Text className={styles.subject} data-testid="message-subject">
        {message.subject || "(no subject)"}
      </Text>
      <PeopleList title="From" people={message.from ? [message.from] : []} />
      <PeopleList title="To" people={message.to} />
      <PeopleList title="Cc" people={message.cc} />
    </>
  );
}

function Notice({ title, hint }: { title: string; hint: string }) {
  const styles = useStyles();
  return (
    <>
      <h2 id="item-heading" className={styles.heading}>
        {title}
      </h2>
      <Text className={styles.hint}>{hint}</Text>
    </>
  );
}

/** The item in hand: its people, or why there is nothing to show. */
export function ItemPanel({ state }: { state: CurrentItemState }) {
  const styles = useStyles();
  let content;
  if (state.status === "loading") {
    content = <Spinner size="small" label="Reading the message…" />;
  } else if (state.status === "error") {
    content = <Notice title="The message could not be read" hint={`Outlook said: ${state.message}`} />;
  } else if (state.item.kind === "message") {
    content = <MessageDetails message={state.item.message} />;
  } else if (state.item.kind === "unsupported") {
    content = (
      <Notice
        title="This item isn't a message"
        hint="Sync Sidebar shows the people on email messages. Select a message to see them here."
      />
    );
  } else {
    content = (
      <Notice
        title="No message selected"
        hint="Select a message in Outlook to see its sender and recipients. Pin the sidebar to keep it open as you move between messages."
      />
    );
  }
  return (
    <section className={styles.panel} aria-labelledby={state.status === "loading" ? undefined : "item-heading"}>
      {content}
    </section>
  );
}
