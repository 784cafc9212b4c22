import { Button, Field, Input, Text, makeStyles, tokens } from "@fluentui/react-components";
import { useCallback, useState, type FormEvent } from "react";
import type { CanaryDto, CanarySuggestionDto } from "../../../contract/canaries";
import { emailAddressProblem } from "../../../contract/emailAddress";
import { useSession } from "../../auth/SessionProvider";
import { MAILBOX_LIST_STYLES } from "./mailboxListStyles";
import { allFieldsShown, fieldMessages } from "../../backend/errors";
import { useBrowser } from "../../browser/browserActions";
import { useAction } from "../../hooks/useAction";
import { useResource } from "../../hooks/useResource";
import { FailureMessage } from "../FailureMessage";
import { fieldState } from "../fieldState";
import { DirectorySuggestions } from "./DirectorySuggestions";

const useStyles = makeStyles({
  section: { display: "flex", flexDirection: "column", rowGap: tokens.spacingVerticalS, minWidth: 0 },
  heading: { margin: 0, fontSize: tokens.fontSizeBase400 },
  subheading: { margin: 0, fontSize: tokens.fontSizeBase300 },
  ...MAILBOX_LIST_STYLES,
  row: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalS, alignItems: "end" },
  grow: { flexGrow: 1, minWidth: "min(100%, 14rem)" },
  suggestions: {
    display: "flex",
    flexDirection: "column",
    rowGap: tokens.spacingVerticalS,
    margin: 0,
    padding: 0,
    listStyle: "none",
  },
  suggestion: {
    display: "flex",
    flexDirection: "column",
    rowGap: tokens.spacingVerticalXS,
    padding: tokens.spacingHorizontalM,
    backgroundColor: tokens.colorNeutralBackground2,
    borderRadius: tokens.borderRadiusMedium,
    minWidth: 0,
  },
  script: {
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    whiteSpace: "pre-wrap",
    overflowWrap: "anywhere",
    padding: tokens.spacingHorizontalS,
    backgroundColor: tokens.colorNeutralBackground3,
    borderRadius: tokens.borderRadiusMedium,
    margin: 0,
  },
});

/** The add field's name, as the server names it: its errors are shown at the field, no banner. */
const FIELDS = ["address"] as const;

const FIELD_ID = "canary-address";
const focusField = () => document.getElementById(FIELD_ID)?.focus();

function addedLine(canary: CanaryDto): string {
  return `Added by ${canary.addedBy} on ${new Date(canary.addedAt).toLocaleDateString()}`;
}

/** A suggested canary: why this one, the PowerShell line that creates it (copyable), and Add. */
function Suggestion({
  suggestion,
  adding,
  onAdd,
}: {
  suggestion: CanarySuggestionDto;
  adding: boolean;
  onAdd: () => void;
}) {
  const styles = useStyles();
  const browser = useBrowser();
  const [copied, setCopied] = useState("");
  const copy = async (script: string) => {
    try {
      await browser.copyText(script);
      setCopied("Copied to the clipboard.");
    } catch {
      setCopied("Copying was refused by the browser: select the line and copy it by hand.");
    }
  };
  return (
    <li className={styles.suggestion} data-testid="canary-suggestion">
      <span className={styles.address}>{suggestion.address}</span>
      <Text size={200}>{suggestion.reason}</Text>
      {suggestion.powershell !== null && (
        <>
          <Text size={200}>Create it first (Exchange Online PowerShell or the Exchange Management Shell):</Text>
          <pre className={styles.script} tabIndex={0} aria-label={`PowerShell that creates ${suggestion.address}`}>
            {suggestion.powershell}
          </pre>
        </>
      )}
      <div className={styles.row}>
        <Button appearance="primary" disabled={adding} onClick={onAdd} aria-label={`Add ${suggestion.address}`}>
          Add
        </Button>
        {suggestion.powershell !== null && (
          <Button onClick={() => void copy(suggestion.powershell ?? "")}>Copy PowerShell</Button>
        )}
        <Text aria-live="polite" size={200}>
          {copied}
        </Text>
      </div>
    </li>
  );
}

/**
 * Canaries: mailboxes outside the scope on purpose. Every check probes them as it probes a user and expects to be
 * refused; added and removed at once (no Save), since they are the organization's, not the form's.
 */
export function CanariesSection({ orgId }: { orgId: string }) {
  const styles = useStyles();
  const { api } = useSession();
  const load = useCallback(() => api.canaries(orgId), [api, orgId]);
  const { resource, reload } = useResource(load);
  const [address, setAddress] = useState("");
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [notice, setNotice] = useState("");
  // Bumped when the canaries change: the directory's suggestions leave out the ones just added.
  const [revision, setRevision] = useState(0);

  const add = useAction(async (value: string) => api.addCanary(orgId, { address: value }));
  const addSuggested = useAction(async (value: string) => api.addCanary(orgId, { address: value }));
  const remove = useAction(async (canary: CanaryDto) => api.removeCanary(orgId, canary.id));

  const list = resource.value;
  if (list === null) {
    if (resource.status === "error") return <FailureMessage error={resource.error} onRetry={reload} />;
    return resource.status === "loading" ? <Text aria-live="polite">Loading the canaries…</Text> : null;
  }
  const full = list.items.length >= list.max;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    add.reset();
    const value = address.trim();
    const problem = emailAddressProblem(value);
    if (problem !== null) {
      setFieldErrors({ address: `Enter a mailbox address, e.g. sync-canary@contoso.com (this one ${problem}).` });
      focusField();
      return;
    }
    setFieldErrors({});
    const added = await add.run(value);
    if (added.ok) {
      setAddress("");
      setNotice(`${added.value.address} is now a canary: the next check probes it.`);
      reload();
      setRevision((current) => current + 1);
    } else {
      setFieldErrors(fieldMessages(added.error));
      focusField();
    }
  };

  const addSuggestion = async (suggestion: Pick<CanarySuggestionDto, "address">) => {
    const added = await addSuggested.run(suggestion.address);
    if (added.ok) {
      setNotice(`${added.value.address} is now a canary: the next check probes it.`);
      reload();
      setRevision((current) => current + 1);
      // The suggestion's button goes with it: the field keeps the focus in the section.
      focusField();
    }
  };

  const removeCanary = async (canary: CanaryDto) => {
    const removed = await remove.run(canary);
    if (removed.ok) {
      setNotice(`${canary.address} is no longer a canary.`);
      reload();
      setRevision((current) => current + 1);
      focusField();
    }
  };

  return (
    <section className={styles.section} aria-labelledby="canaries-heading" data-testid="canaries-section">
      <h3 id="canaries-heading" className={styles.heading}>
        Canaries
      </h3>
      <Text>
        A canary is a mailbox kept outside the scope on purpose: every check probes it like a user and expects to be
        refused, so a readable canary shows that the access reaches further than it should.
      </Text>

      {list.items.length === 0 ? (
        <Text size={200}>No canary yet: add a mailbox that is not one of this organization&apos;s users.</Text>
      ) : (
        <ul className={styles.list} aria-label="Canaries">
          {list.items.map((canary) => (
            <li key={canary.id} className={styles.item}>
              <div className={styles.who}>
                <span className={styles.address}>{canary.address}</span>
                <Text size={200} className={styles.meta}>
                  {addedLine(canary)}
                </Text>
              </div>
              <Button
                disabled={remove.pending}
                onClick={() => void removeCanary(canary)}
                aria-label={`Remove ${canary.address}`}
              >
                Remove
              </Button>
            </li>
          ))}
        </ul>
      )}
      {remove.error !== null && <FailureMessage error={remove.error} />}

      <form className={styles.row} onSubmit={(event) => void submit(event)} aria-label="Add a canary" noValidate>
        <Field
          label="Mailbox outside the scope"
          className={styles.grow}
          {...(full ? { hint: `An organization has at most ${list.max} canaries: remove one to add another.` } : {})}
          {...fieldState(fieldErrors, "address")}
        >
          <Input
            id={FIELD_ID}
            type="email"
            value={address}
            disabled={full}
            onChange={(_, data) => {
              setAddress(data.value);
              if (fieldErrors.address) setFieldErrors({});
            }}
          />
        </Field>
        <Button type="submit" disabled={add.pending || full}>
          {add.pending ? "Adding…" : "Add canary"}
        </Button>
      </form>
      {add.error !== null && !allFieldsShown(add.error, FIELDS) && <FailureMessage error={add.error} />}

      {!full && (
        <>
          <h4 className={styles.subheading}>Suggested</h4>
          <DirectorySuggestions
            orgId={orgId}
            revision={revision}
            adding={addSuggested.pending}
            onAdd={(value) => void addSuggestion({ address: value })}
          />
          {list.suggestions.length > 0 && (
            <ul className={styles.suggestions} aria-label="Suggested canaries">
              {list.suggestions.map((suggestion) => (
                <Suggestion
                  key={suggestion.address}
                  suggestion={suggestion}
                  adding={addSuggested.pending}
                  onAdd={() => void addSuggestion(suggestion)}
                />
              ))}
            </ul>
          )}
          {addSuggested.error !== null && <FailureMessage error={addSuggested.error} />}
        </>
      )}
      <div aria-live="polite" role="none">
        <Text size={200}>{notice}</Text>
      </div>
    </section>
  );
}
