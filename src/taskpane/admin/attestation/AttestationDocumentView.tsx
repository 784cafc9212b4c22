import { Badge, Text, makeStyles, mergeClasses, tokens } from "@fluentui/react-components";
import { ACCESS_TYPES, type AccessTypeId } from "../../../contract/accessTypes";
import type { AttestationDocument, AttestedUser } from "../../../contract/attestation";
import { CATEGORIES, type Severity } from "../../../contract/categories";
import { CATEGORY_LABELS } from "../../../contract/labels";
import { VERDICT_COLOR, VERDICT_WORDS, byVerdict as byCanaryVerdict, verdictSentence } from "../emailConfig/canaryText";
import { SEVERITY_COLOR, capabilitiesLine } from "../emailConfig/resultText";

/** On screen the first ones; the signed file holds every user. */
const USERS_SHOWN = 500;
const SEVERITY_ORDER: Record<Severity, number> = { error: 0, transient: 1, warning: 2, ok: 3 };
const SEVERITY_WORDS: Record<Severity, string> = {
  ok: "Connected",
  warning: "Need attention",
  error: "Failing",
  transient: "Not reached",
};

const useStyles = makeStyles({
  document: { display: "flex", flexDirection: "column", rowGap: tokens.spacingVerticalM, minWidth: 0 },
  section: { display: "flex", flexDirection: "column", rowGap: tokens.spacingVerticalXS, minWidth: 0 },
  heading: { margin: 0, fontSize: tokens.fontSizeBase300, fontWeight: tokens.fontWeightSemibold },
  facts: {
    display: "grid",
    gridTemplateColumns: "minmax(7em, max-content) minmax(0, 1fr)",
    columnGap: tokens.spacingHorizontalM,
    rowGap: tokens.spacingVerticalXXS,
    margin: 0,
    "& dt": { color: tokens.colorNeutralForeground3 },
    "& dd": { margin: 0, overflowWrap: "anywhere" },
  },
  list: { margin: 0, paddingLeft: tokens.spacingHorizontalL, display: "flex", flexDirection: "column", rowGap: "2px" },
  // Room for the numbers of an ordered list up to "500." (the default padding clips "10." to ".0.").
  numbered: { paddingLeft: "2.75em" },
  user: { overflowWrap: "anywhere" },
  counts: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalXS },
});

function Facts({ rows }: { rows: Array<[string, string]> }) {
  const styles = useStyles();
  return (
    <dl className={styles.facts}>
      {rows.map(([term, value]) => (
        <div key={term} style={{ display: "contents" }}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function accessTypeLabel(id: string): string {
  return ACCESS_TYPES[id as AccessTypeId]?.label ?? id;
}

function when(iso: string | null): string {
  return iso === null ? "not finished" : new Date(iso).toLocaleString();
}

function byVerdict(a: AttestedUser, b: AttestedUser): number {
  return SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || a.email.localeCompare(b.email);
}

/** The attestation as an auditor reads it: who, which grants, the preflight, and every user's verdict. */
export function AttestationDocumentView({ document, keyId }: { document: AttestationDocument; keyId: string }) {
  const styles = useStyles();
  const users = [...document.users].sort(byVerdict);
  const shown = users.slice(0, USERS_SHOWN);
  const severities = Object.entries(document.summary.severityCounts) as Array<[Severity, number]>;
  return (
    <article className={styles.document} aria-label="Access attestation" data-testid="attestation-document">
      <section className={styles.section}>
        <h3 className={styles.heading}>Signed statement</h3>
        <Facts
          rows={[
            ["Organization", document.organization.name],
            ["Issued", `${when(document.issuedAt)} to ${document.issuedTo}`],
            ["Signed by", `${document.product.name} ${document.product.version}, key ${keyId} (Ed25519)`],
            ["Check run", `${document.run.state}, ${document.run.done} of ${document.run.total} users`],
            ["Started", when(document.run.startedAt)],
            ["Finished", when(document.run.finishedAt)],
            ...(document.run.stopReason
              ? ([["Stopped", document.run.stopReason.message]] as Array<[string, string]>)
              : []),
          ]}
        />
      </section>
      {document.profiles.map((profile) => (
        <section key={profile.name} className={styles.section}>
          <h3 className={styles.heading}>{profile.name}</h3>
          <Facts
            rows={[
              ["Access type", accessTypeLabel(profile.accessType)],
              [
                profile.appId ? "App (client) id" : "Service account",
                profile.appId ?? profile.serviceAccount ?? "Not recorded: the configuration changed after this run",
              ],
              ...(profile.ewsUrl ? ([["EWS URL", profile.ewsUrl]] as Array<[string, string]>) : []),
              ["Configuration", profile.configVersion === null ? "unsaved" : `version ${profile.configVersion}`],
            ]}
          />
        </section>
      ))}
      {document.permissions.length > 0 && (
        <section className={styles.section}>
          <h3 className={styles.heading}>Permissions seen</h3>
          <ul className={styles.list}>
            {document.permissions.map((permission) => (
              <li key={permission.permission}>
                {permission.permission}: {permission.state === "present" ? "present" : "missing"}
                {permission.seenIn === "role_assignments" && " (consented tenant-wide in Entra ID)"}
                {permission.seenIn === "token" && " (in the app's token)"}
              </li>
            ))}
          </ul>
        </section>
      )}
      <section className={styles.section}>
        <h3 className={styles.heading}>Preflight</h3>
        <ul className={styles.list}>
          {document.preflight.steps.map((step, index) => (
            <li key={`${step.step}-${index}`}>
              {step.ok ? "Passed" : "Failed"}: {step.step}
              {step.ok ? "" : ` (${CATEGORIES[step.category]?.message ?? step.category})`}
            </li>
          ))}
          {/* Warnings may share a category (two no_mailbox notes): the position tells them apart. */}
          {document.preflight.warnings.map((warning, index) => (
            <li key={`${warning.category}-${index}`}>Warning: {warning.message}</li>
          ))}
        </ul>
      </section>
      <section className={styles.section} aria-labelledby="attested-canaries-heading">
        <h3 id="attested-canaries-heading" className={styles.heading}>
          Canaries
        </h3>
        {document.canaries.length === 0 ? (
          <Text size={200}>
            No canary was probed: this statement shows what the access reaches, not what it cannot reach.
          </Text>
        ) : (
          <>
            <Text size={200}>
              Mailboxes outside the scope on purpose. Refused proves the boundary held for that mailbox at that time.
            </Text>
            <ol
              className={mergeClasses(styles.list, styles.numbered)}
              aria-label="Canaries and their verdicts"
              data-testid="attested-canaries"
            >
              {byCanaryVerdict(document.canaries).map((canary) => (
                <li key={canary.address} className={styles.user} data-verdict={canary.verdict}>
                  <Badge appearance="tint" color={VERDICT_COLOR[canary.verdict]}>
                    {canary.verdict === "leaked" ? CATEGORY_LABELS.scope_leak : VERDICT_WORDS[canary.verdict]}
                  </Badge>{" "}
                  {canary.address}: {verdictSentence(canary)}
                  {canary.cause !== null && ` Likely cause: ${canary.cause}`}
                  {canary.remedy !== null && ` What to do: ${canary.remedy}`} Checked {when(canary.checkedAt)}.
                </li>
              ))}
            </ol>
          </>
        )}
      </section>
      <section className={styles.section}>
        <h3 className={styles.heading}>Verdicts</h3>
        <div className={styles.counts}>
          {severities.map(([severity, count]) => (
            <Badge key={severity} appearance="tint" color={SEVERITY_COLOR[severity]}>
              {SEVERITY_WORDS[severity]}: {count}
            </Badge>
          ))}
        </div>
        <ol className={mergeClasses(styles.list, styles.numbered)} aria-label="Users and their verdicts">
          {shown.map((user) => (
            <li key={user.userId} className={styles.user}>
              {user.email}: {CATEGORIES[user.category]?.message ?? user.category}
              {user.capabilities ? ` ${capabilitiesLine(user.capabilities)}.` : ""} Checked {when(user.checkedAt)}.
            </li>
          ))}
        </ol>
        {users.length > shown.length && (
          <Text size={200}>And {users.length - shown.length} more users, every one of them in the signed file.</Text>
        )}
      </section>
    </article>
  );
}
