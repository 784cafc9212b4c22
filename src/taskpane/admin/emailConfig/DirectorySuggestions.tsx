import { Button, Text, makeStyles, tokens } from "@fluentui/react-components";
import { useCallback, useEffect } from "react";
import type { CanaryDirectorySuggestionDto } from "../../../contract/canaries";
import { useSession } from "../../auth/SessionProvider";
import { MAILBOX_LIST_STYLES } from "./mailboxListStyles";
import { useResource } from "../../hooks/useResource";

const useStyles = makeStyles({
  ...MAILBOX_LIST_STYLES,
  row: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalS, alignItems: "center" },
});

/**
 * Mailboxes of the directory that are none of the organization's users, each with "Add as canary". `revision`
 * changes when the canaries change, so one just added leaves the list.
 */
export function DirectorySuggestions({
  orgId,
  revision,
  adding,
  onAdd,
}: {
  orgId: string;
  revision: number;
  adding: boolean;
  onAdd: (address: string) => void;
}) {
  const styles = useStyles();
  const { api } = useSession();
  const load = useCallback(() => api.canarySuggestions(orgId), [api, orgId]);
  const { resource, reload } = useResource(load);
  useEffect(() => {
    if (revision > 0) reload();
  }, [revision, reload]);

  const directory = resource.value;
  if (directory === null) {
    if (resource.status === "error") {
      return (
        <div className={styles.row}>
          <Text size={200}>The directory&apos;s mailboxes could not be loaded.</Text>
          <Button size="small" onClick={reload}>
            Try again
          </Button>
        </div>
      );
    }
    return resource.status === "loading" ? (
      <Text size={200} aria-live="polite">
        Reading the directory…
      </Text>
    ) : null;
  }
  if (!directory.listed) {
    return (
      <Text size={200} data-testid="directory-unlisted">
        {directory.reason ?? "The directory could not be read."} The dedicated mailbox below needs no directory.
      </Text>
    );
  }
  if (directory.items.length === 0) {
    return (
      <>
        <Text size={200}>Every mailbox of the directory is already a user or a canary of this organization.</Text>
        {directory.reason !== null && <Text size={200}>{directory.reason}</Text>}
      </>
    );
  }
  return (
    <>
      <Text size={200}>Mailboxes of the directory that are not among this organization&apos;s users:</Text>
      <ul className={styles.list} aria-label="Directory mailboxes">
        {directory.items.map((item: CanaryDirectorySuggestionDto) => (
          <li key={item.address} className={styles.item}>
            <div className={styles.who}>
              <span className={styles.address}>{item.address}</span>
              {item.displayName !== null && (
                <Text size={200} className={styles.meta}>
                  {item.displayName}
                </Text>
              )}
              {item.profile !== undefined && (
                <Text size={200} className={styles.meta}>
                  Found through {item.profile}
                </Text>
              )}
            </div>
            <Button disabled={adding} onClick={() => onAdd(item.address)} aria-label={`Add as canary: ${item.address}`}>
              Add as canary
            </Button>
          </li>
        ))}
      </ul>
      {directory.reason !== null && (
        <Text size={200} data-testid="directory-partly-unlisted">
          {directory.reason}
        </Text>
      )}
      {directory.truncated && (
        <Text size={200}>The directory holds more: type any other mailbox in the field above.</Text>
      )}
    </>
  );
}
