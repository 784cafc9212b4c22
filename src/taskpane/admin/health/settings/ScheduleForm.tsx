import { Button, Field, Input, Radio, RadioGroup, Select, Switch, Text } from "@fluentui/react-components";
import { useMemo, type FormEvent } from "react";
import {
  SCHEDULE_LIMITS,
  type MonitoringScheduleDto,
  type MonitoringScheduleInput,
  type ScheduleMode,
} from "../../../../contract/monitoring";
import { useSession } from "../../../auth/SessionProvider";
import { FailureMessage } from "../../FailureMessage";
import { fieldState } from "../../fieldState";
import { integerError, type FieldErrors } from "./formErrors";
import { useSettingsStyles } from "./settingsStyles";
import { SettingsPending, useSettingsForm } from "./useSettingsForm";
import { useSchedule } from "./useMonitoring";

const FIELDS = ["mode", "time", "timeZone", "everyHours", "recheckAfterChange", "settlingMinutes", "historyDays"];

interface ScheduleDraft {
  mode: ScheduleMode;
  time: string;
  timeZone: string;
  everyHours: string;
  recheckAfterChange: boolean;
  settlingMinutes: string;
  historyDays: string;
}

function toDraft(saved: MonitoringScheduleDto): ScheduleDraft {
  return {
    mode: saved.mode,
    time: saved.time,
    timeZone: saved.timeZone,
    everyHours: String(saved.everyHours),
    recheckAfterChange: saved.recheckAfterChange,
    settlingMinutes: String(saved.settlingMinutes),
    historyDays: String(saved.historyDays),
  };
}

/** What the pane can tell before asking the server; the server's rules stay the authority. */
export function validateSchedule(draft: ScheduleDraft): FieldErrors {
  const errors: FieldErrors = {};
  if (draft.mode === "daily" && !/^([01]\d|2[0-3]):[0-5]\d$/.test(draft.time)) errors.time = "Enter a time as HH:MM.";
  if (draft.mode === "daily" && !draft.timeZone) errors.timeZone = "Choose a time zone.";
  const limits = SCHEDULE_LIMITS;
  const hours =
    draft.mode === "every_hours" && integerError(draft.everyHours, limits.everyHours.min, limits.everyHours.max);
  if (hours) errors.everyHours = hours;
  const settling = integerError(draft.settlingMinutes, limits.settlingMinutes.min, limits.settlingMinutes.max);
  if (settling) errors.settlingMinutes = settling;
  const days = integerError(draft.historyDays, limits.historyDays.min, limits.historyDays.max);
  if (days) errors.historyDays = days;
  return errors;
}

function toInput(draft: ScheduleDraft): MonitoringScheduleInput {
  return {
    mode: draft.mode,
    ...(draft.mode === "daily" ? { time: draft.time, timeZone: draft.timeZone } : {}),
    ...(draft.mode === "every_hours" ? { everyHours: Number(draft.everyHours) } : {}),
    recheckAfterChange: draft.recheckAfterChange,
    settlingMinutes: Number(draft.settlingMinutes),
    historyDays: Number(draft.historyDays),
  };
}

function timeZones(current: string): string[] {
  const known = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return [...new Set([current, "UTC", ...known].filter(Boolean))];
}

/** The schedule of re-checks: off, daily at a time in a time zone, or every N hours; plus the settling window. */
export function ScheduleForm({ orgId }: { orgId: string }) {
  const styles = useSettingsStyles();
  const { api } = useSession();
  const { resource: schedule, reload } = useSchedule(orgId);
  const form = useSettingsForm(schedule, toDraft, FIELDS);
  const { saved, draft, errors, notice, change } = form;
  const zones = useMemo(() => timeZones(draft?.timeZone ?? ""), [draft?.timeZone]);

  if (!draft || !saved) return <SettingsPending resource={schedule} reload={reload} label="Loading the schedule…" />;

  const submit = (event: FormEvent) =>
    form.submit(
      event,
      validateSchedule(draft),
      () => api.saveMonitoringSchedule(orgId, toInput(draft)),
      "Schedule saved.",
    );

  return (
    <form
      className={styles.form}
      onSubmit={(event) => void submit(event)}
      aria-labelledby="schedule-heading"
      noValidate
    >
      <h4 id="schedule-heading" className={styles.heading}>
        Schedule
      </h4>
      <Field label="Re-check mailboxes" {...fieldState(errors, "mode")}>
        <RadioGroup value={draft.mode} onChange={(_, data) => change({ mode: data.value as ScheduleMode })}>
          <Radio value="off" label="Off (only when an admin runs a check)" />
          <Radio value="daily" label="Daily at a time" />
          <Radio value="every_hours" label="Every few hours" />
        </RadioGroup>
      </Field>
      {draft.mode === "daily" && (
        <div className={styles.pair}>
          <Field label="Time of day" {...fieldState(errors, "time")}>
            <Input type="time" value={draft.time} onChange={(_, data) => change({ time: data.value })} />
          </Field>
          <Field label="Time zone" {...fieldState(errors, "timeZone")}>
            <Select value={draft.timeZone} onChange={(_, data) => change({ timeZone: data.value })}>
              {zones.map((zone) => (
                <option key={zone} value={zone}>
                  {zone}
                </option>
              ))}
            </Select>
          </Field>
        </div>
      )}
      {draft.mode === "every_hours" && (
        <Field
          label="Every (hours)"
          hint="Counted from midnight UTC: every 6 hours runs at 00:00, 06:00, 12:00 and 18:00 UTC."
          {...fieldState(errors, "everyHours")}
        >
          <Input
            type="number"
            min={SCHEDULE_LIMITS.everyHours.min}
            max={SCHEDULE_LIMITS.everyHours.max}
            value={draft.everyHours}
            onChange={(_, data) => change({ everyHours: data.value })}
          />
        </Field>
      )}
      <Field {...fieldState(errors, "recheckAfterChange")}>
        <Switch
          checked={draft.recheckAfterChange}
          onChange={(_, data) => change({ recheckAfterChange: data.checked })}
          label="Re-check after a configuration change, once it has settled"
        />
      </Field>
      <div className={styles.pair}>
        <Field
          label="Settling time (minutes)"
          hint="Exchange applies permission changes 30 minutes to 2 hours later; no alerts meanwhile."
          {...fieldState(errors, "settlingMinutes")}
        >
          <Input
            type="number"
            min={SCHEDULE_LIMITS.settlingMinutes.min}
            max={SCHEDULE_LIMITS.settlingMinutes.max}
            value={draft.settlingMinutes}
            onChange={(_, data) => change({ settlingMinutes: data.value })}
          />
        </Field>
        <Field label="Keep history (days)" {...fieldState(errors, "historyDays")}>
          <Input
            type="number"
            min={SCHEDULE_LIMITS.historyDays.min}
            max={SCHEDULE_LIMITS.historyDays.max}
            value={draft.historyDays}
            onChange={(_, data) => change({ historyDays: data.value })}
          />
        </Field>
      </div>
      {saved.nextRunAt && (
        <Text className={styles.hint}>
          Next scheduled run: <time dateTime={saved.nextRunAt}>{new Date(saved.nextRunAt).toLocaleString()}</time>
        </Text>
      )}
      {saved.settlingUntil && (
        <Text className={styles.hint}>
          A configuration change is settling until{" "}
          <time dateTime={saved.settlingUntil}>{new Date(saved.settlingUntil).toLocaleString()}</time>.
        </Text>
      )}
      {form.failure !== null && <FailureMessage error={form.failure} />}
      <div className={styles.actions}>
        <Button type="submit" appearance="primary" disabled={form.busy !== null}>
          {form.busy !== null ? "Saving…" : "Save schedule"}
        </Button>
        <Text aria-live="polite" className={styles.hint}>
          {notice}
        </Text>
      </div>
    </form>
  );
}
