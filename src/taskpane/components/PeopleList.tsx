import { makeStyles, tokens } from "@fluentui/react-components";
import { useId } from "react";
import type { MailPerson } from "../office/mailboxHost";
import { PersonCard } from "./PersonCard";

const useStyles = makeStyles({
  heading: { margin: `${tokens.spacingVerticalM} 0 ${tokens.spacingVerticalXS}`, fontSize: tokens.fontSizeBase300 },
  list: {
    listStyleType: "none",
    margin: 0,
    padding: 0,
    display: "flex",
    flexDirection: "column",
    rowGap: tokens.spacingVerticalS,
  },
});

/** A labelled list of people (From, To, Cc); renders nothing for an empty list. */
export function PeopleList({ title, people }: { title: string; people: MailPerson[] }) {
  const styles = useStyles();
  const headingId = useId();
  if (people.length === 0) return null;
  return (
    <section aria-labelledby={headingId}>
      <h3 id={headingId} className={styles.heading}>
        {title}
      </h3>
      <ul className={styles.list}>
        {people.map((person, index) => (
          <li key={`${person.emailAddress}-${index}`}>
            <PersonCard person={person} />
          </li>
        ))}
      </ul>
    </section>
  );
}
