import { makeStyles, tokens } from "@fluentui/react-components";
import type { EmailConfigDto } from "../../../contract/api";
import { isGuid } from "../../../contract/identifiers";
import { AdminConsent } from "./AdminConsent";
import { AppRegistrationFields } from "./AppRegistrationFields";
import type { EmailConfigDraft, FieldErrors } from "./draft";
import { RbacScript } from "./RbacScript";

const useStyles = makeStyles({
  section: { display: "flex", flexDirection: "column", rowGap: tokens.spacingVerticalM, minWidth: 0 },
  heading: { margin: 0, fontSize: tokens.fontSizeBase300 },
});

/** Microsoft 365 OAuth (Graph) – App-only: the app registration, admin consent, and the RBAC for Applications script. */
export function AppOnlySection({
  orgId,
  draft,
  saved,
  errors,
  onChange,
}: {
  orgId: string;
  draft: EmailConfigDraft;
  saved: EmailConfigDto;
  errors: FieldErrors;
  onChange: (change: Partial<EmailConfigDraft>) => void;
}) {
  const styles = useStyles();
  const idsValid = isGuid(draft.clientId.trim()) && draft.tenantId.trim() !== "";
  return (
    <div className={styles.section}>
      <h4 className={styles.heading}>App registration</h4>
      <AppRegistrationFields draft={draft} saved={saved} errors={errors} onChange={onChange} />
      <AdminConsent tenantId={draft.tenantId} clientId={draft.clientId} disabled={!idsValid} />
      <RbacScript orgId={orgId} clientId={draft.clientId} />
    </div>
  );
}
