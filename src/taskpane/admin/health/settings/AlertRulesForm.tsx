import { Button, Field, Input, Switch, Text } from "@fluentui/react-components";
import type { FormEvent } from "react";
import { ALERT_LIMITS, ALERT_NAMES, type AlertRulesDto, type AlertSettingsDto } from "../../../../contract/monitoring";
import { useSession } from "../../../auth/SessionProvider";
import { FailureMessage } from "../../FailureMessage";
import { fieldState } from "../../fieldState";
import { integerError, type FieldErrors } from "./formErrors";
import { useSettingsStyles } from "./settingsStyles";
import { SettingsPending, useSettingsForm } from "./useSettingsForm";
import { useAlertSettings } from "./useMonitoring";

const FIELDS = [
  "failingShare.percent",
  "failingShare",
  "newlyFailing",
  "serviceAccountRefused",
  "serviceAccountSignIn",
  "credentialExpiry.days",
  "credentialExpiry",
  "scopeLeak",
  "mailboxesMoved",
];

interface RulesDraft {
  failingShare: { enabled: boolean; percent: string };
  newlyFailing: boolean;
  serviceAccountRefused: boolean;
  serviceAccountSignIn: boolean;
  credentialExpiry: { enabled: boolean; days: string };
  scopeLeak: boolean;
  mailboxesMoved: boolean;
}

function toDraft(rules: AlertRulesDto): RulesDraft {
  return {
    failingShare: { enabled: rules.failingShare.enabled, percent: String(rules.failingShare.percent) },
    newlyFailing: rules.newlyFailing.enabled,
    serviceAccountRefused: rules.serviceAccountRefused.enabled,
    serviceAccountSignIn: rules.serviceAccountSignIn.enabled,
    credentialExpiry: { enabled: rules.credentialExpiry.enabled, days: String(rules.credentialExpiry.days) },
    // On by default: a server that does not send it yet has it on.
    scopeLeak: rules.scopeLeak?.enabled ?? true,
    mailboxesMoved: rules.mailboxesMoved?.enabled ?? true,
  };
}

function validate(draft: RulesDraft): FieldErrors {
  const errors: FieldErrors = {};
  const share = ALERT_LIMITS.failingSharePercent;
  const percent = draft.failingShare.enabled && integerError(draft.failingShare.percent, share.min, share.max);
  if (percent) errors["failingShare.percent"] = percent;
  const expiry = ALERT_LIMITS.credentialExpiryDays;
  const days = draft.credentialExpiry.enabled && integerError(draft.credentialExpiry.days, expiry.min, expiry.max);
  if (days) errors["credentialExpiry.days"] = days;
  return errors;
}

function toInput(draft: RulesDraft, saved: AlertRulesDto): AlertRulesDto {
  // A rule switched off keeps its stored threshold, so switching it on again restores it.
  const percent = draft.failingShare.enabled ? Number(draft.failingShare.percent) : saved.failingShare.percent;
  const days = draft.credentialExpiry.enabled ? Number(draft.credentialExpiry.days) : saved.credentialExpiry.days;
  return {
    failingShare: { enabled: draft.failingShare.enabled, percent },
    newlyFailing: { enabled: draft.newlyFailing },
    serviceAccountRefused: { enabled: draft.serviceAccountRefused },
    serviceAccountSignIn: { enabled: draft.serviceAccountSignIn },
    credentialExpiry: { enabled: draft.credentialExpiry.enabled, days },
    scopeLeak: { enabled: draft.scopeLeak },
    mailboxesMoved: { enabled: draft.mailboxesMoved },
  };
}

const draftOfSettings = (settings: AlertSettingsDto): RulesDraft => toDraft(settings.rules);

/** The alert rules, each on or off with its threshold, and the alerts open right now. */
export function AlertRulesForm({ orgId }: { orgId: string }) {
  const styles = useSettingsStyles();
  const { api } = useSession();
  const { resource: settings, reload } = useAlertSettings(orgId);
  const form = useSettingsForm(settings, draftOfSettings, FIELDS);
  const { saved, draft, errors, notice, change } = form;

  if (!draft || !saved) return <SettingsPending resource={settings} reload={reload} label="Loading the alert rules…" />;

  const submit = (event: FormEvent) =>
    form.submit(
      event,
      validate(draft),
      () => api.saveAlertRules(orgId, toInput(draft, saved.rules)),
      "Alert rules saved.",
    );

  return (
    <form className={styles.form} onSubmit={(event) => void submit(event)} aria-labelledby="alerts-heading" noValidate>
      <h4 id="alerts-heading" className={styles.heading}>
        Alert rules
      </h4>
      <div className={styles.rule}>
        <Switch
          checked={draft.failingShare.enabled}
          onChange={(_, data) => change({ failingShare: { ...draft.failingShare, enabled: data.checked } })}
          label="Share of failing users reaches a threshold"
        />
        <Field label="Threshold (%)" className={styles.threshold} {...fieldState(errors, "failingShare.percent")}>
          <Input
            type="number"
            min={ALERT_LIMITS.failingSharePercent.min}
            max={ALERT_LIMITS.failingSharePercent.max}
            disabled={!draft.failingShare.enabled}
            value={draft.failingShare.percent}
            onChange={(_, data) => change({ failingShare: { ...draft.failingShare, percent: data.value } })}
          />
        </Field>
      </div>
      <Switch
        checked={draft.newlyFailing}
        onChange={(_, data) => change({ newlyFailing: data.checked })}
        label="Any user newly failing"
      />
      <Switch
        checked={draft.serviceAccountRefused}
        onChange={(_, data) => change({ serviceAccountRefused: data.checked })}
        label="The service account or app is refused"
      />
      <Switch
        checked={draft.serviceAccountSignIn}
        onChange={(_, data) => change({ serviceAccountSignIn: data.checked })}
        label="The Microsoft 365 service account must sign in again"
      />
      <div className={styles.rule}>
        <Switch
          checked={draft.credentialExpiry.enabled}
          onChange={(_, data) => change({ credentialExpiry: { ...draft.credentialExpiry, enabled: data.checked } })}
          label="The app's certificate or client secret expires soon"
        />
        <Field label="Within (days)" className={styles.threshold} {...fieldState(errors, "credentialExpiry.days")}>
          <Input
            type="number"
            min={ALERT_LIMITS.credentialExpiryDays.min}
            max={ALERT_LIMITS.credentialExpiryDays.max}
            disabled={!draft.credentialExpiry.enabled}
            value={draft.credentialExpiry.days}
            onChange={(_, data) => change({ credentialExpiry: { ...draft.credentialExpiry, days: data.value } })}
          />
        </Field>
      </div>
      <Switch
        checked={draft.scopeLeak}
        onChange={(_, data) => change({ scopeLeak: data.checked })}
        label="Mailboxes outside the scope are readable: a canary answered (sent at once, even while a change settles)"
      />
      <Switch
        checked={draft.mailboxesMoved}
        onChange={(_, data) => change({ mailboxesMoved: data.checked })}
        label="Mailboxes moved between profiles: Automatic placement followed a mailbox to Exchange Online or back (information)"
      />
      {saved.open.length > 0 && (
        <div>
          <Text weight="semibold">Open alerts</Text>
          <ul>
            {saved.open.map((alert) => (
              <li key={`${alert.kind}-${alert.openedAt}`}>
                <Text weight="semibold">{ALERT_NAMES[alert.kind]}</Text>: {alert.summary} (since{" "}
                <time dateTime={alert.openedAt}>{new Date(alert.openedAt).toLocaleString()}</time>)
              </li>
            ))}
          </ul>
        </div>
      )}
      {form.failure !== null && <FailureMessage error={form.failure} />}
      <div className={styles.actions}>
        <Button type="submit" appearance="primary" disabled={form.busy !== null}>
          {form.busy !== null ? "Saving…" : "Save alert rules"}
        </Button>
        <Text aria-live="polite" className={styles.hint}>
          {notice}
        </Text>
      </div>
    </form>
  );
}
