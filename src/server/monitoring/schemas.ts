/**
 * TypeBox schemas of the monitoring routes; `Same` proves they match the wire types in src/contract/monitoring.ts.
 * Ranges sit in the schemas (so a 400 names the field at once); the time zone, the wall time and the webhook URL
 * are checked by the service, with the same 400 shape.
 */
import { Type, type Static } from "@sinclair/typebox";
import {
  ALERT_LIMITS,
  SCHEDULE_LIMITS,
  type AlertChannelsDto,
  type AlertChannelsInput,
  type AlertRulesDto,
  type AlertSettingsDto,
  type DeliveryAttemptDto,
  type FailingUserDto,
  type MonitoringScheduleDto,
  type MonitoringScheduleInput,
  type RunHistoryEntryDto,
  type StatusChangeDto,
} from "../../contract/monitoring.js";
import { CategorySchema } from "../checks/schemas.js";
import { Email, Literals, Nullable, PagingQuery, Timestamp, Uuid, type Same } from "../http/schemas.js";

const ModeSchema = Literals("off", "daily", "every_hours");
const TriggerSchema = Literals("manual", "scheduled", "after_change");
const KindSchema = Literals(
  "failing_share",
  "newly_failing",
  "service_account_refused",
  "service_account_sign_in",
  "credential_expiring",
  "sidebar_reach",
  "scope_leak",
  "mailboxes_moved",
);
const EventSchema = Literals("fired", "resolved", "test", "info");
const whole = (limits: { min: number; max: number }) => Type.Integer({ minimum: limits.min, maximum: limits.max });

export const ScheduleInputSchema = Type.Object(
  {
    mode: ModeSchema,
    time: Type.Optional(Type.String({ maxLength: 5, description: "HH:MM, 24-hour clock" })),
    timeZone: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "IANA time zone" })),
    everyHours: Type.Optional(whole(SCHEDULE_LIMITS.everyHours)),
    recheckAfterChange: Type.Optional(Type.Boolean()),
    settlingMinutes: Type.Optional(whole(SCHEDULE_LIMITS.settlingMinutes)),
    historyDays: Type.Optional(whole(SCHEDULE_LIMITS.historyDays)),
  },
  { additionalProperties: false },
);

export const ScheduleSchema = Type.Object({
  mode: ModeSchema,
  time: Type.String(),
  timeZone: Type.String(),
  everyHours: Type.Integer(),
  recheckAfterChange: Type.Boolean(),
  settlingMinutes: Type.Integer(),
  historyDays: Type.Integer(),
  nextRunAt: Nullable(Timestamp),
  settlingUntil: Nullable(Timestamp),
  updatedBy: Nullable(Type.String()),
  updatedAt: Nullable(Timestamp),
});

const toggle = Type.Object({ enabled: Type.Boolean() }, { additionalProperties: false });

export const AlertRulesSchema = Type.Object(
  {
    failingShare: Type.Object(
      { enabled: Type.Boolean(), percent: whole(ALERT_LIMITS.failingSharePercent) },
      { additionalProperties: false },
    ),
    newlyFailing: toggle,
    serviceAccountRefused: toggle,
    serviceAccountSignIn: toggle,
    credentialExpiry: Type.Object(
      { enabled: Type.Boolean(), days: whole(ALERT_LIMITS.credentialExpiryDays) },
      { additionalProperties: false },
    ),
    sidebarReach: Type.Optional(
      Type.Object(
        { enabled: Type.Boolean(), days: whole(ALERT_LIMITS.sidebarReachDays) },
        { additionalProperties: false },
      ),
    ),
    scopeLeak: Type.Optional(toggle),
    mailboxesMoved: Type.Optional(toggle),
  },
  { additionalProperties: false },
);

export const AlertSettingsSchema = Type.Object({
  rules: AlertRulesSchema,
  open: Type.Array(
    Type.Object({ kind: KindSchema, summary: Type.String(), openedAt: Timestamp, runId: Nullable(Uuid) }),
  ),
  updatedBy: Nullable(Type.String()),
  updatedAt: Nullable(Timestamp),
});

export const ChannelsInputSchema = Type.Object(
  {
    email: Type.Object(
      { enabled: Type.Boolean(), recipients: Type.Array(Type.String({ maxLength: 320 }), { maxItems: 20 }) },
      { additionalProperties: false },
    ),
    webhook: Type.Object(
      {
        enabled: Type.Boolean(),
        url: Nullable(Type.String({ maxLength: 2048 })),
        secret: Type.Optional(Type.String({ maxLength: 200 })),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export const ChannelsSchema = Type.Object({
  email: Type.Object({ enabled: Type.Boolean(), recipients: Type.Array(Email), smtpConfigured: Type.Boolean() }),
  webhook: Type.Object({ enabled: Type.Boolean(), url: Nullable(Type.String()), hasSecret: Type.Boolean() }),
  updatedBy: Nullable(Type.String()),
  updatedAt: Nullable(Timestamp),
});

export const DeliverySchema = Type.Object({
  id: Uuid,
  messageId: Uuid,
  channel: Literals("email", "webhook"),
  event: EventSchema,
  kind: Nullable(KindSchema),
  alertName: Type.String({ description: "The alert's name, or Test message" }),
  attempt: Type.Integer(),
  status: Literals("delivered", "failed", "retrying"),
  httpStatus: Nullable(Type.Integer()),
  error: Nullable(Type.String()),
  at: Timestamp,
});

export const ChannelTestSchema = Type.Object({
  messageId: Nullable(Uuid),
  channels: Type.Array(Literals("email", "webhook")),
});

const severityCounts = Type.Object({
  ok: Type.Integer(),
  warning: Type.Integer(),
  error: Type.Integer(),
  transient: Type.Integer(),
});

export const HistoryEntrySchema = Type.Object({
  runId: Uuid,
  trigger: TriggerSchema,
  state: Type.String(),
  startedAt: Timestamp,
  finishedAt: Nullable(Timestamp),
  total: Type.Integer(),
  counts: Type.Record(Type.String(), Type.Integer(), { description: "Results per category id" }),
  severityCounts,
  health: Type.Object({ connected: Type.Integer(), needsAttention: Type.Integer(), failing: Type.Integer() }),
  // Why the run stopped early; null when it finished or was cancelled.
  stopReason: Nullable(Type.Object({ category: Nullable(CategorySchema), message: Type.String() })),
});

export const StatusChangeSchema = Type.Object({
  id: Uuid,
  userId: Uuid,
  email: Type.String(),
  change: Literals("started_failing", "recovered", "moved"),
  category: CategorySchema,
  previousCategory: Nullable(CategorySchema),
  detail: Nullable(Type.String()),
  runId: Uuid,
  at: Timestamp,
});

export const FailingUserSchema = Type.Object({
  userId: Uuid,
  email: Type.String(),
  category: CategorySchema,
  since: Timestamp,
});

export const MonitoringPageQuery = Type.Object(PagingQuery, { additionalProperties: false });
export const StatusChangesQuery = Type.Object(
  { ...PagingQuery, userId: Type.Optional(Uuid) },
  { additionalProperties: false },
);

const _scheduleIn: Same<Static<typeof ScheduleInputSchema>, MonitoringScheduleInput> = true;
const _schedule: Same<Static<typeof ScheduleSchema>, MonitoringScheduleDto> = true;
const _rules: Same<Static<typeof AlertRulesSchema>, AlertRulesDto> = true;
const _alerts: Same<Static<typeof AlertSettingsSchema>, AlertSettingsDto> = true;
const _channelsIn: Same<Static<typeof ChannelsInputSchema>, AlertChannelsInput> = true;
const _channels: Same<Static<typeof ChannelsSchema>, AlertChannelsDto> = true;
const _delivery: Same<Static<typeof DeliverySchema>, DeliveryAttemptDto> = true;
const _history: Same<Static<typeof HistoryEntrySchema>, RunHistoryEntryDto> = true;
const _change: Same<Static<typeof StatusChangeSchema>, StatusChangeDto> = true;
const _failing: Same<Static<typeof FailingUserSchema>, FailingUserDto> = true;
void [_scheduleIn, _schedule, _rules, _alerts, _channelsIn, _channels, _delivery, _history, _change, _failing];
