import {
  Button,
  Field,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  ProgressBar,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { CATEGORIES } from "../../../contract/categories";
import { SCOPE_RELATED_CATEGORIES, type CheckRunDto, type CheckRunState } from "../../../contract/checks";
import { PreflightPermissions } from "./PreflightPermissions";
import { settlingText } from "./resultText";
import { isActive } from "./useCheckRun";

const useStyles = makeStyles({
  panel: { display: "flex", flexDirection: "column", rowGap: tokens.spacingVerticalS, minWidth: 0 },
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

/** How far a run is, with Cancel while it runs. */
export function Progress({ run, onCancel }: { run: CheckRunDto; onCancel: () => void }) {
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

/** Why a run stopped (and its connection-check steps), the preflight's warnings and the permissions it read. */
export function StopReason({ run }: { run: CheckRunDto }) {
  const styles = useStyles();
  // The note matters only where a scope, role or consent decides the outcome.
  const settles =
    run.preflight?.warnings.some((warning) => SCOPE_RELATED_CATEGORIES.includes(warning.category)) === true ||
    SCOPE_RELATED_CATEGORIES.some((category) => (run.counts[category] ?? 0) > 0);
  const permissions = run.preflight?.permissions ?? [];
  if (
    !run.stopReason &&
    !run.preflight?.warnings.length &&
    !(settles && run.preflight?.settling) &&
    !permissions.length
  )
    return null;
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
      {settles && run.preflight?.settling && (
        <MessageBar intent="info" layout="multiline" data-testid="settling">
          <MessageBarBody>
            The configuration was saved less than 2 hours before this check. {settlingText(run.preflight.settling)}
          </MessageBarBody>
        </MessageBar>
      )}
      {permissions.length > 0 && <PreflightPermissions permissions={permissions} />}
    </>
  );
}
