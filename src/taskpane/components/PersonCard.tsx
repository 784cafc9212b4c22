import { Persona, makeStyles } from "@fluentui/react-components";
import type { MailPerson } from "../office/mailboxHost";

const useStyles = makeStyles({
  // Long names and addresses wrap instead of being cut off in a 320 px pane.
  persona: { minWidth: 0, overflowWrap: "anywhere" },
});

/** One person on the message: avatar with initials, name, and address. */
export function PersonCard({ person }: { person: MailPerson }) {
  const styles = useStyles();
  return (
    <Persona
      className={styles.persona}
      name={person.displayName}
      secondaryText={person.emailAddress}
      avatar={{ color: "colorful", "aria-hidden": true }}
      size="medium"
    />
  );
}
