import {
  Badge,
  Button,
  Field,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  ProgressBar,
  Select,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useState } from "react";
import { CATEGORIES, CATEGORY_LIST, type CategoryId } from "../../../contract/categories";
import type { CheckRunDto, CheckRunState } from "../../../contract/checks";
import { needsSignIn, useSession } from "../../auth/SessionProvider";
import { saveFile } from "../download";
import { FailureMessage } from "../FailureMessage";
import { ResultsList, SEVERITY_COLOR } from "./ResultsList";
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
  steps: { margin: 0, paddingLeft: tokens.spacingHorizontalL },
});

const STATE_TEXT: Record<CheckRunState, string> = {
  preflight: "Checking the connection and the service account…",
  running: "Checking users…",
  completed: "Check finished.",
  cancelled: "Check cancelled. Results recorded until then are below.",
  auth_failed: "Check stopped: the service account was refused.",
  preflight_failed: "Check stopped before any user: the connection check failed.",
  throttled: "Check stopped: Exchange kept throttling the service account. Results recorded until then are below.",
  failed: "Check stopped: the server could not go on.",
};

export function formatEta(seconds: number): string {
  if (seconds < 60) return `about ${Math.max(1, Math.round(seconds))} s left`;
  const minutes = Math.round(seconds / 60);
  return `about ${minutes} min left`;
}

function Progress({ run, onCancel }: { run: CheckRunDto; onCancel: () => void }) {
  const styles = useStyles();
  const active = isActive(run);
  const percent = run.total > 0 ? Math.round((run.done / run.total) * 100) : 0;
  return (
    <div className={styles.panel}>
      <Field
        label={STATE_TEXT[run.state]}
        validationState="none"
        hint={`${run.done} of ${run.total} users checked${run.etaSeconds !== null && active ? `, ${formatEta(run.etaSeconds)}` : ""}${run.draft ? " (unsaved configuration)" : ""}`}
      >
        <ProgressBar
          {...(run.total > 0 ? { value: run.done / run.total } : active ? {} : { value: 1 })}
          max={1}
          aria-valuetext={`${percent}%`}
          thickness="large"
          color={run.state === "completed" ? "success" : active ? "brand" : "warning"}
        />
      </Field>
      {active && (
        <div>
          <Button onClick={onCancel}>Cancel check</Button>
        </div>
      )}
    </div>
  );
}

function StopReason({ run }: { run: CheckRunDto }) {
  const styles = useStyles();
  if (!run.stopReason && !run.preflight?.warnings.length) return null;
  return (
    <>
      {run.stopReason && (
        <MessageBar intent="error" layout="multiline" role="alert">
          <MessageBarBody>
            <MessageBarTitle>{run.stopReason.message}</MessageBarTitle> What to do: {run.stopReason.remedy}
            {run.stopReason.detail ? ` (${run.stopReason.detail})` : ""}
          </MessageBarBody>
        </MessageBar>
      )}
      {run.preflight && run.preflight.steps.length > 0 && run.state === "preflight_failed" && (
        <ol className={styles.steps} aria-label="Connection check steps">
          {run.preflight.steps.map((step) => (
            <li key={step.step}>
              {step.ok ? "✓" : "✗"} {step.step}: {step.ok ? "ok" : CATEGORIES[step.category].message}
              {step.detail ? ` — ${step.detail}` : ""}
            </li>
          ))}
        </ol>
      )}
      {run.preflight?.warnings.map((warning) => (
        <MessageBar key={warning.category + warning.message} intent="warning" layout="multiline">
          <MessageBarBody>{warning.message}</MessageBarBody>
        </MessageBar>
      ))}
    </>
  );
}

/** "Check Users Exchange Impersonated Access": start, progress, counts per category, results, CSV export. */
export function CheckPanel({
  orgId,
  control,
  onStart,
}: {
  orgId: string;
  control: CheckRunControl;
  /** Validates the draft and starts the run with it. */
  onStart: () => void;
}) {
  const styles = useStyles();
  const { api, expire } = useSession();
  const { run } = control;
  const [filter, setFilter] = useState<CategoryId | "">("");
  const [exportError, setExportError] = useState<unknown>(null);
  const active = isActive(run);

  const counted = run
    ? CATEGORY_LIST.filter((category) => (run.counts[category.id] ?? 0) > 0).map((category) => ({
        category,
        count: run.counts[category.id] ?? 0,
      }))
    : [];
  const filterTotal = run ? (filter ? (run.counts[filter] ?? 0) : run.done) : 0;

  const exportCsv = async () => {
    if (!run) return;
    setExportError(null);
    try {
      saveFile(await api.checkResultsCsv(orgId, run.id, filter || undefined));
    } catch (error) {
      if (needsSignIn(error)) expire();
      setExportError(error);
    }
  };

  return (
    <section className={styles.panel} aria-labelledby="check-heading">
      <h3 id="check-heading" className={styles.heading}>
        Check access
      </h3>
      <Text>
        Verifies, for every user of the organization, that the configuration above can open their mailbox. The form as
        typed is checked, even before you save it.
      </Text>
      <div>
        <Button appearance="primary" onClick={onStart} disabled={active || control.starting}>
          {control.starting ? "Starting…" : "Check Users Exchange Impersonated Access"}
        </Button>
      </div>
      {control.startError !== null && <FailureMessage error={control.startError} />}
      <div aria-live="polite" aria-atomic="false">
        {run && <Progress run={run} onCancel={() => void control.cancel()} />}
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
      {run && counted.length > 0 && (
        <>
          <ul className={styles.counts} aria-label="Users per result category" data-testid="category-counts">
            {counted.map(({ category, count }) => (
              <li key={category.id}>
                <Badge appearance="tint" color={SEVERITY_COLOR[category.severity]} data-category={category.id}>
                  {category.id}: {count}
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
                    {category.id} ({count})
                  </option>
                ))}
              </Select>
            </Field>
            <Button onClick={() => void exportCsv()} disabled={run.done === 0}>
              Export CSV
            </Button>
          </div>
          {exportError !== null && <FailureMessage error={exportError} />}
          {!active && <ResultsList orgId={orgId} runId={run.id} category={filter || null} total={filterTotal} />}
          {active && <Text size={200}>Results appear here when the check finishes.</Text>}
        </>
      )}
    </section>
  );
}
