/**
 * Monitoring's three settings documents (schedule, alert rules, channels) as stored JSON with their defaults, and
 * the rules an admin's input must keep. Pure: the service reads and writes them, the routes validate their shape.
 */
import { emailAddressProblem } from "../../contract/emailAddress.js";
import {
  ALERT_LIMITS,
  SCHEDULE_DEFAULTS,
  SCHEDULE_LIMITS,
  type AlertChannelsInput,
  type AlertRulesDto,
  type MonitoringScheduleDto,
  type MonitoringScheduleInput,
} from "../../contract/monitoring.js";
import type { FieldError } from "../errors.js";
import { isTimeZone, isWallTime } from "./scheduleTimes.js";

export type StoredSchedule = Pick<
  MonitoringScheduleDto,
  "mode" | "time" | "timeZone" | "everyHours" | "recheckAfterChange" | "settlingMinutes" | "historyDays"
>;

export interface StoredChannels {
  email: { enabled: boolean; recipients: string[] };
  webhook: { enabled: boolean; url: string | null };
}

export const MAX_RECIPIENTS = 20;

export function defaultSchedule(timeZone: string): StoredSchedule {
  return { ...SCHEDULE_DEFAULTS, timeZone };
}

export const DEFAULT_RULES: AlertRulesDto = {
  failingShare: { enabled: true, percent: ALERT_LIMITS.failingSharePercent.default },
  newlyFailing: { enabled: false },
  serviceAccountRefused: { enabled: true },
  serviceAccountSignIn: { enabled: true },
  credentialExpiry: { enabled: true, days: ALERT_LIMITS.credentialExpiryDays.default },
  sidebarReach: { enabled: true, days: ALERT_LIMITS.sidebarReachDays.default },
  scopeLeak: { enabled: true },
  mailboxesMoved: { enabled: true },
};

export const DEFAULT_CHANNELS: StoredChannels = {
  email: { enabled: false, recipients: [] },
  webhook: { enabled: false, url: null },
};

export function parseStored<T>(json: string | null, fallback: T): T {
  return json === null ? fallback : { ...fallback, ...(JSON.parse(json) as Partial<T>) };
}

const within = (value: number, limits: { min: number; max: number }) =>
  Number.isInteger(value) && value >= limits.min && value <= limits.max;

/** The schedule an admin's input makes (unset fields from `current`), or the fields it breaks. */
export function planSchedule(
  current: StoredSchedule,
  input: MonitoringScheduleInput,
): { schedule: StoredSchedule } | { errors: FieldError[] } {
  const schedule: StoredSchedule = {
    mode: input.mode,
    time: input.time ?? current.time,
    timeZone: input.timeZone ?? current.timeZone,
    everyHours: input.everyHours ?? current.everyHours,
    recheckAfterChange: input.recheckAfterChange ?? current.recheckAfterChange,
    settlingMinutes: input.settlingMinutes ?? current.settlingMinutes,
    historyDays: input.historyDays ?? current.historyDays,
  };
  const errors: FieldError[] = [];
  if (!isWallTime(schedule.time)) errors.push({ field: "time", message: "must be HH:MM on a 24-hour clock" });
  if (!isTimeZone(schedule.timeZone)) {
    errors.push({ field: "timeZone", message: `is not an IANA time zone (got "${schedule.timeZone}")` });
  }
  const { everyHours, settlingMinutes, historyDays } = SCHEDULE_LIMITS;
  if (!within(schedule.everyHours, everyHours)) {
    errors.push({ field: "everyHours", message: `must be a whole number from ${everyHours.min} to ${everyHours.max}` });
  }
  if (!within(schedule.settlingMinutes, settlingMinutes)) {
    errors.push({
      field: "settlingMinutes",
      message: `must be a whole number from ${settlingMinutes.min} to ${settlingMinutes.max}`,
    });
  }
  if (!within(schedule.historyDays, historyDays)) {
    errors.push({
      field: "historyDays",
      message: `must be a whole number from ${historyDays.min} to ${historyDays.max}`,
    });
  }
  return errors.length > 0 ? { errors } : { schedule };
}

export function rulesProblems(rules: AlertRulesDto): FieldError[] {
  const errors: FieldError[] = [];
  const { failingSharePercent, credentialExpiryDays } = ALERT_LIMITS;
  if (!within(rules.failingShare.percent, failingSharePercent)) {
    errors.push({
      field: "failingShare.percent",
      message: `must be a whole number from ${failingSharePercent.min} to ${failingSharePercent.max}`,
    });
  }
  if (!within(rules.credentialExpiry.days, credentialExpiryDays)) {
    errors.push({
      field: "credentialExpiry.days",
      message: `must be a whole number from ${credentialExpiryDays.min} to ${credentialExpiryDays.max}`,
    });
  }
  const reachDays = ALERT_LIMITS.sidebarReachDays;
  if (rules.sidebarReach && !within(rules.sidebarReach.days, reachDays)) {
    errors.push({
      field: "sidebarReach.days",
      message: `must be a whole number from ${reachDays.min} to ${reachDays.max}`,
    });
  }
  return errors;
}

/** Recipients and webhook rules that need no network; the URL guard runs in the service. */
export function channelProblems(input: AlertChannelsInput, hasStoredSecret: boolean): FieldError[] {
  const errors: FieldError[] = [];
  if (input.email.recipients.length > MAX_RECIPIENTS) {
    errors.push({ field: "email.recipients", message: `may list at most ${MAX_RECIPIENTS} addresses` });
  }
  input.email.recipients.forEach((recipient, index) => {
    const problem = emailAddressProblem(recipient);
    if (problem !== null) {
      errors.push({ field: `email.recipients.${index}`, message: `is not an email address: it ${problem}` });
    }
  });
  if (input.email.enabled && input.email.recipients.length === 0) {
    errors.push({ field: "email.recipients", message: "must list at least one address when email alerts are on" });
  }
  const secret = input.webhook.secret ?? "";
  if (secret !== "" && (secret.length < 16 || secret.length > 200)) {
    errors.push({ field: "webhook.secret", message: "must be 16 to 200 characters" });
  }
  if (input.webhook.enabled) {
    if (input.webhook.url === null || input.webhook.url === "") {
      errors.push({ field: "webhook.url", message: "is required when the webhook is on" });
    }
    if (secret === "" && !hasStoredSecret) {
      errors.push({ field: "webhook.secret", message: "is required when the webhook is on and none is stored" });
    }
  }
  return errors;
}
