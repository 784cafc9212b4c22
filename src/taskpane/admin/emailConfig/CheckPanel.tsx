import {
  Badge,
  Button,
  Field,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  Select,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useId, useState } from "react";
import { CATEGORIES, CATEGORY_LIST, type CategoryId, type Severity } from "../../../contract/categories";
import type { CheckRunDto } from "../../../contract/checks";
import { CATEGORY_LABELS, accessTypeWords } from "../../../contract/labels";
import { allFieldsShown } from "../../backend/errors";
import { useSession } from "../../auth/SessionProvider";
import { useBrowser } from "../../browser/browserActions";
import { useAction } from "../../hooks/useAction";
import { AttestationButton } from "../attestation/AttestationButton";
import { FailureMessage } from "../FailureMessage";
import { CanaryVerdicts } from "./CanaryVerdicts";
import { Progress, StopReason } from "./CheckProgress";
import { ResultsList } from "./ResultsList";
import { FORM_FIELD_PATHS } from "./draft";
import { SEVERITY_COLOR, bySeverity, settlesWithRbac } from "./resultText";
import { isActive, type CheckRunControl } from "./useCheckRun";

const useStyles = makeStyles({
  panel: { display: "flex", flexDirection: "column", rowGap: tokens.spacingVerticalS, minWidth: 0 },
  heading: { margin: 0, fontSize: tokens.fontSizeBase400 },
  row: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalS, alignItems: "center" },
  perProfile: {
    display: "flex",
    flexDirection: "column",
    rowGap: tokens.spacingVerticalXS,
    margin: 0,
    padding: 0,
    listStyle: "none",
    overflowWrap: "anywhere",
  },
  counts: {
    display: "flex",
    flexWrap: "wrap",
    gap: tokens.spacingHorizontalXS,
    margin: 0,
    padding: 0,
    listStyle: "none",
  },
});

/** The categories found, worst first, with how many users each. */
function countedOf(counts: CheckRunDto["counts"]): Array<{ category: (typeof CATEGORY_LIST)[number]; count: number }> {
  return bySeverity(CATEGORY_LIST.filter((category) => (counts[category.id] ?? 0) > 0)).map((category) => ({
    category,
    count: counts[category.id] ?? 0,
  }));
}

/** Results per severity, from counts per category (one profile's share of a group run). */
function severityCountsOf(counts: CheckRunDto["counts"]): Partial<Record<Severity, number>> {
  const bySeverityCount: Partial<Record<Severity, number>> = {};
  for (const [id, count] of Object.entries(counts)) {
    const severity = CATEGORIES[id as CategoryId]?.severity;
    if (severity !== undefined) bySeverityCount[severity] = (bySeverityCount[severity] ?? 0) + (count ?? 0);
  }
  return bySeverityCount;
}

/**
 * "Check Users Exchange Impersonated Access": start, progress, counts per category, results, CSV export. As the
 * organization-wide check (`group`), it checks every user through their own connection profile, and shows progress,
 * counts, results and the CSV per profile and in total.
 */
export function CheckPanel({
  orgId,
  accessType,
  control,
  onStart,
  configNote,
  profileName = null,
  group = false,
}: {
  orgId: string;
  /** The connection profile the form edits, when the organization has several: the check covers its users. */
  profileName?: string | null;
  /** Every profile's users, each through their own profile's saved configuration. */
  group?: boolean;
  /** The form's access type: the check is named in its words. */
  accessType: string;
  control: CheckRunControl;
  /** Validates the draft and starts the run with it: every user, or the users named. */
  onStart: (userIds?: string[]) => void;
  /** What the run in view checked when it is not the saved configuration, e.g. "unsaved configuration"; else "". */
  configNote: string;
}) {
  const styles = useStyles();
  const { api } = useSession();
  const browser = useBrowser();
  const { run } = control;
  const [filter, setFilter] = useState<CategoryId | "">("");
  const [profileFilter, setProfileFilter] = useState("");
  const headingId = useId();
  const active = isActive(run);

  const words = accessTypeWords(accessType);
  // A run over several profiles can be read one profile at a time.
  const profiles = run && run.profiles.length > 1 ? run.profiles : [];
  const shownProfile = profiles.find((profile) => profile.profileId === profileFilter) ?? null;
  const shownCounts = shownProfile?.counts ?? run?.counts ?? {};
  // The worst first: errors, then what is still settling or retried, then warnings, then the connected.
  const counted = run ? countedOf(run.counts) : [];
  const shownCounted = shownProfile ? countedOf(shownCounts) : counted;
  const shownDone = shownProfile?.done ?? run?.done ?? 0;
  const filterTotal = run ? (filter ? (shownCounts[filter] ?? 0) : shownDone) : 0;

  const exportCsv = useAction(async (runId: string) =>
    browser.saveFile(await api.checkResultsCsv(orgId, runId, filter || undefined, shownProfile?.profileId)),
  );

  return (
    <section className={styles.panel} aria-labelledby={headingId}>
      <h3 id={headingId} className={styles.heading}>
        {group ? "Check every profile" : "Check access"}
      </h3>
      <Text>
        {group
          ? "Verifies, for every user of the organization, that their own connection profile can open their mailbox. Each profile is checked with its saved configuration, side by side."
          : profileName === null
            ? "Verifies, for every user of the organization, that the configuration above can open their mailbox."
            : `Verifies, for every user checked through “${profileName}”, that the configuration above can open their mailbox.`}
        {group ? "" : " The form as typed is checked, even before you save it."}
      </Text>
      <div>
        <Button appearance="primary" onClick={() => onStart()} disabled={active || control.starting}>
          {control.starting ? "Starting…" : group ? "Check all profiles" : words.checkName}
        </Button>
      </div>
      {/* A refusal that names the form's fields is shown at those fields, not here. */}
      {control.startError !== null && !allFieldsShown(control.startError, FORM_FIELD_PATHS) && (
        <FailureMessage error={control.startError} />
      )}
      <div aria-live="polite" aria-atomic="false">
        {run && <Progress run={run} configNote={configNote} onCancel={() => void control.cancel()} />}
      </div>
      {control.watchError !== null && active && (
        <MessageBar intent="warning" layout="multiline">
          <MessageBarBody>
            Lost contact with the service; the check goes on on the server and progress resumes when it is reachable.
          </MessageBarBody>
          <MessageBarActions>
            <Button onClick={control.reconnect}>Reconnect</Button>
          </MessageBarActions>
        </MessageBar>
      )}
      {run && <StopReason run={run} />}
      {run && !active && <CanaryVerdicts orgId={orgId} runId={run.id} />}
      {run && counted.length > 0 && (
        <>
          <ul className={styles.counts} aria-label="Users per result category" data-testid="category-counts">
            {counted.map(({ category, count }) => (
              <li key={category.id}>
                <Badge appearance="tint" color={SEVERITY_COLOR[category.severity]} data-category={category.id}>
                  {CATEGORY_LABELS[category.id]}: {count}
                </Badge>
              </li>
            ))}
          </ul>
          {profiles.length > 0 && !active && (
            <ul className={styles.perProfile} aria-label="Users per result category, per connection profile">
              {profiles.map((profile) => (
                <li key={profile.profileId} data-testid="profile-counts" data-profile={profile.name}>
                  <Text weight="semibold">{profile.name}</Text>
                  <ul className={styles.counts} aria-label={`Results of “${profile.name}”`}>
                    {countedOf(profile.counts).map(({ category, count }) => (
                      <li key={category.id}>
                        <Badge appearance="tint" color={SEVERITY_COLOR[category.severity]} data-category={category.id}>
                          {CATEGORY_LABELS[category.id]}: {count}
                        </Badge>
                      </li>
                    ))}
                  </ul>
                </li>
              ))}
            </ul>
          )}
          <div className={styles.row}>
            {profiles.length > 0 && (
              <Field label="Profile">
                <Select
                  value={profileFilter}
                  onChange={(_, data) => {
                    setProfileFilter(data.value);
                    setFilter("");
                  }}
                >
                  <option value="">Every profile ({run.done})</option>
                  {profiles.map((profile) => (
                    <option key={profile.profileId} value={profile.profileId}>
                      {profile.name} ({profile.done})
                    </option>
                  ))}
                </Select>
              </Field>
            )}
            <Field label="Show">
              <Select value={filter} onChange={(_, data) => setFilter(data.value as CategoryId | "")}>
                <option value="">All results ({shownDone})</option>
                {shownCounted.map(({ category, count }) => (
                  <option key={category.id} value={category.id}>
                    {CATEGORY_LABELS[category.id]} ({count})
                  </option>
                ))}
              </Select>
            </Field>
            <Button onClick={() => void exportCsv.run(run.id)} disabled={run.done === 0}>
              Export CSV
            </Button>
            {!active && !run.draft && <AttestationButton orgId={orgId} runId={run.id} />}
          </div>
          {exportCsv.error !== null && <FailureMessage error={exportCsv.error} />}
          {!active && (
            <ResultsList
              orgId={orgId}
              runId={run.id}
              category={filter || null}
              profile={shownProfile?.profileId ?? null}
              total={filterTotal}
              severityCounts={shownProfile ? severityCountsOf(shownProfile.counts) : (run.severityCounts ?? null)}
              onRecheck={(userIds) => onStart(userIds)}
              recheckDisabled={control.starting}
              settling={settlesWithRbac(run.accessType) ? (run.preflight?.settling ?? null) : null}
            />
          )}
          {active && <Text size={200}>Results appear here when the check finishes.</Text>}
        </>
      )}
    </section>
  );
}
