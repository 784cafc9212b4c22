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
import { useState } from "react";
import { CATEGORY_LIST, type CategoryId } from "../../../contract/categories";
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
  counts: {
    display: "flex",
    flexWrap: "wrap",
    gap: tokens.spacingHorizontalXS,
    margin: 0,
    padding: 0,
    listStyle: "none",
  },
});

/** "Check Users Exchange Impersonated Access": start, progress, counts per category, results, CSV export. */
export function CheckPanel({
  orgId,
  accessType,
  control,
  onStart,
  configNote,
  profileName = null,
}: {
  orgId: string;
  /** The connection profile the form edits, when the organization has several: the check covers its users. */
  profileName?: string | null;
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
  const active = isActive(run);

  const words = accessTypeWords(accessType);
  // The worst first: errors, then what is still settling or retried, then warnings, then the connected.
  const counted = run
    ? bySeverity(CATEGORY_LIST.filter((category) => (run.counts[category.id] ?? 0) > 0)).map((category) => ({
        category,
        count: run.counts[category.id] ?? 0,
      }))
    : [];
  const filterTotal = run ? (filter ? (run.counts[filter] ?? 0) : run.done) : 0;

  const exportCsv = useAction(async (runId: string) =>
    browser.saveFile(await api.checkResultsCsv(orgId, runId, filter || undefined)),
  );

  return (
    <section className={styles.panel} aria-labelledby="check-heading">
      <h3 id="check-heading" className={styles.heading}>
        Check access
      </h3>
      <Text>
        {profileName === null
          ? "Verifies, for every user of the organization, that the configuration above can open their mailbox."
          : `Verifies, for every user checked through “${profileName}”, that the configuration above can open their mailbox.`}{" "}
        The form as typed is checked, even before you save it.
      </Text>
      <div>
        <Button appearance="primary" onClick={() => onStart()} disabled={active || control.starting}>
          {control.starting ? "Starting…" : words.checkName}
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
          <div className={styles.row}>
            <Field label="Show">
              <Select value={filter} onChange={(_, data) => setFilter(data.value as CategoryId | "")}>
                <option value="">All results ({run.done})</option>
                {counted.map(({ category, count }) => (
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
              total={filterTotal}
              severityCounts={run.severityCounts ?? null}
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
