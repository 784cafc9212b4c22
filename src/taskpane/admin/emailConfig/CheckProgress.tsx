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
import {
  SCOPE_RELATED_CATEGORIES,
  type CheckRunDto,
  type CheckRunProfileDto,
  type CheckRunState,
} from "../../../contract/checks";
import { accessTypeWords } from "../../../contract/labels";
import { PreflightPermissions } from "./PreflightPermissions";
import { settlesWithRbac, settlingText } from "./resultText";
import { isActive } from "./useCheckRun";

const useStyles = makeStyles({
  panel: { display: "flex", flexDirection: "column", rowGap: tokens.spacingVerticalS, minWidth: 0 },
  steps: { margin: 0, paddingLeft: tokens.spacingHorizontalL },
  profiles: { margin: 0, paddingLeft: tokens.spacingHorizontalL, overflowWrap: "anywhere" },
});

/** What a run's state says, in the words of its access type ("the service account" or "the app registration"). */
function stateText(state: CheckRunState, accessType: string): string {
  const { credential } = accessTypeWords(accessType);
  const texts: Record<CheckRunState, string> = {
    preflight: `Checking the connection and ${credential}…`,
    running: "Checking users…",
    completed: "Check finished.",
    cancelled: "Check cancelled. Results recorded until then are below.",
    auth_failed: `Check stopped: ${credential} was refused.`,
    preflight_failed: "Check stopped before any user: the connection check failed.",
    throttled:
      accessType === "graph_app_only"
        ? "Check stopped: Microsoft Graph kept throttling the app. Results recorded until then are below."
        : "Check stopped: Exchange kept throttling the service account. Results recorded until then are below.",
    failed: "Check stopped: the server could not go on.",
  };
  return texts[state];
}

const PROFILE_STATE: Record<CheckRunState, string> = {
  preflight: "checking the connection",
  running: "checking",
  completed: "finished",
  cancelled: "cancelled",
  auth_failed: "stopped: its account was refused",
  preflight_failed: "stopped: the connection check failed",
  throttled: "stopped: throttled",
  failed: "stopped",
};

/** "Cloud: 3 of 3 users checked, 3 connected (finished)": one profile's share of a group run. */
export function profileProgressText(profile: CheckRunProfileDto): string {
  const connected = profile.counts.ok ?? 0;
  const users = profile.total === 1 ? "user" : "users";
  return `${profile.name}: ${profile.done} of ${profile.total} ${users} checked, ${connected} connected (${PROFILE_STATE[profile.state]})`;
}

export function formatEta(seconds: number): string {
  if (seconds < 60) return `about ${Math.max(1, Math.round(seconds))} s left`;
  const minutes = Math.round(seconds / 60);
  return `about ${minutes} min left`;
}

/** How far a run is, with Cancel while it runs. */
export function Progress({
  run,
  configNote = run.draft ? "unsaved configuration" : "",
  onCancel,
}: {
  run: CheckRunDto;
  /** What the run checked when it is not the saved configuration ("unsaved configuration"), else "". */
  configNote?: string;
  onCancel: () => void;
}) {
  const styles = useStyles();
  const active = isActive(run);
  const percent = run.total > 0 ? Math.round((run.done / run.total) * 100) : 0;
  return (
    <div className={styles.panel}>
      <Field
        label={stateText(run.state, run.accessType)}
        validationState="none"
        hint={`${run.done} of ${run.total} users checked${run.etaSeconds !== null && active ? `, ${formatEta(run.etaSeconds)}` : ""}${configNote ? ` (${configNote})` : ""}`}
      >
        <ProgressBar
          {...(run.total > 0 ? { value: run.done / run.total } : active ? {} : { value: 1 })}
          max={1}
          aria-valuetext={`${percent}%`}
          thickness="large"
          color={run.state === "completed" ? "success" : active ? "brand" : "warning"}
        />
      </Field>
      {run.profiles.length > 1 && (
        <ul className={styles.profiles} aria-label="Progress per connection profile" data-testid="profile-progress">
          {run.profiles.map((profile) => (
            <li key={profile.profileId}>{profileProgressText(profile)}</li>
          ))}
        </ul>
      )}
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
  // The note matters only where RBAC for Applications applies (app-only) and a scope, role or consent decides.
  const settles =
    settlesWithRbac(run.accessType) &&
    (run.preflight?.warnings.some((warning) => SCOPE_RELATED_CATEGORIES.includes(warning.category)) === true ||
      SCOPE_RELATED_CATEGORIES.some((category) => (run.counts[category] ?? 0) > 0));
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
