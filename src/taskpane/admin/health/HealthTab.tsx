import {
  Button,
  MessageBar,
  MessageBarBody,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useMemo } from "react";
import { CATEGORIES } from "../../../contract/categories";
import type { CategoryId } from "../../../contract/categories";
import type { AlertChannelsDto, MonitoringScheduleDto } from "../../../contract/monitoring";
import { FailureMessage } from "../FailureMessage";
import { byLongestFailing, failingFor, latestFinishedRun, newlyFailing, runFigures, movedIn } from "./healthFigures";
import { HealthTrend } from "./HealthTrend";
import { MonitoringSettings } from "./settings/MonitoringSettings";
import { SidebarReachSection } from "./SidebarReachSection";
import { useHealth } from "./useHealth";

const useStyles = makeStyles({
  tab: { display: "flex", flexDirection: "column", rowGap: tokens.spacingVerticalL, minWidth: 0 },
  section: { display: "flex", flexDirection: "column", rowGap: tokens.spacingVerticalS, minWidth: 0 },
  row: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalS, alignItems: "center" },
  heading: { margin: 0, fontSize: tokens.fontSizeBase400 },
  subheading: { margin: 0, fontSize: tokens.fontSizeBase300 },
  list: { margin: 0, paddingInlineStart: tokens.spacingHorizontalXL },
  email: { display: "block", overflowWrap: "anywhere", fontWeight: tokens.fontWeightSemibold },
  hint: { display: "block", color: tokens.colorNeutralForeground2, overflowWrap: "anywhere" },
  table: { tableLayout: "auto", width: "100%" },
});

function categoryMessage(category: CategoryId): string {
  return CATEGORIES[category]?.message ?? category;
}

/** "2 hours", "90 minutes". */
function duration(minutes: number): string {
  return minutes % 60 === 0
    ? `${minutes / 60} ${minutes === 60 ? "hour" : "hours"}`
    : `${minutes} ${minutes === 1 ? "minute" : "minutes"}`;
}

/**
 * Where alerts stand, in one plain line: held until a time while a configuration change settles (app-only), sent
 * nowhere when no channel is on, or the email recipients.
 */
function AlertsLine({ schedule, channels }: { schedule: MonitoringScheduleDto; channels: AlertChannelsDto }) {
  const styles = useStyles();
  if (schedule.settlingUntil !== null) {
    const until = new Date(schedule.settlingUntil);
    return (
      <MessageBar intent="warning" layout="multiline" data-testid="alerts-held">
        <MessageBarBody>
          Alerts are held until{" "}
          <time dateTime={schedule.settlingUntil}>
            {until.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" })}
          </time>
          : the email configuration changed, and RBAC for Applications can take {duration(schedule.settlingMinutes)} to
          apply it (Settling time below). Checks still run and are recorded here.
        </MessageBarBody>
      </MessageBar>
    );
  }
  const email = channels.email.enabled && channels.email.recipients.length > 0;
  if (!email && !channels.webhook.enabled) {
    return (
      <Text className={styles.hint} data-testid="alerts-line">
        Alerts are not sent anywhere: turn on email or a webhook under Channels below.
      </Text>
    );
  }
  const targets = [
    ...(email ? [`email to ${channels.email.recipients.join(", ")}`] : []),
    ...(channels.webhook.enabled ? ["the webhook"] : []),
  ];
  return (
    <Text className={styles.hint} data-testid="alerts-line">
      Alerts go to {targets.join(" and ")}.
    </Text>
  );
}

/** Health: the trend of the organization's check runs, who newly fails, who has been failing and for how long. */
export default function HealthTab({ orgId }: { orgId: string }) {
  const styles = useStyles();
  const { resource: health, reload } = useHealth(orgId);
  const value = health.value;
  const runs = useMemo(() => runFigures(value?.history ?? []), [value]);
  const latest = value ? latestFinishedRun(value.history) : null;
  const fresh = value ? newlyFailing(value.changes, latest?.runId ?? null) : [];
  const moved = value ? movedIn(value.changes, latest?.runId ?? null) : [];
  const finishedRuns = value?.history.filter((run) => run.finishedAt !== null).length ?? 0;
  const failing = value ? byLongestFailing(value.failing) : [];
  const now = new Date();
  const latestStopped = runs.length > 0 && runs[runs.length - 1]!.stopped !== null;

  return (
    <div className={styles.tab}>
      <section className={styles.section} aria-labelledby="health-heading">
        <div className={styles.row}>
          <h2 id="health-heading" className={styles.heading}>
            Health
          </h2>
          <Button appearance="subtle" onClick={reload} disabled={health.status === "loading"}>
            Refresh
          </Button>
        </div>
        {health.status === "loading" && !value && <Spinner label="Loading the health history…" />}
        {health.status === "error" && <FailureMessage error={health.error} onRetry={reload} />}
        {value && <AlertsLine schedule={value.schedule} channels={value.channels} />}
        {value && runs.length === 0 && (
          <Text>
            No check runs of the saved configuration yet. Checks of an unsaved form on the Email Configuration tab are
            not kept in this history: save the configuration, then run a check or turn on a schedule below; each run
            adds a point here.
          </Text>
        )}
        {runs.length > 0 && <HealthTrend runs={runs} />}
      </section>

      {value && runs.length > 0 && (
        <section className={styles.section} aria-labelledby="newly-failing-heading">
          <h3 id="newly-failing-heading" className={styles.subheading}>
            Newly failing since the previous run
          </h3>
          {finishedRuns < 2 ? (
            <Text className={styles.hint}>
              This is the first finished run: there is no earlier run to compare with yet.
            </Text>
          ) : fresh.length === 0 ? (
            <Text className={styles.hint}>Nobody started failing in the latest run.</Text>
          ) : (
            <ul className={styles.list} aria-labelledby="newly-failing-heading">
              {fresh.map((change) => (
                <li key={change.id}>
                  <span className={styles.email}>{change.email}</span>
                  <span className={styles.hint}>{categoryMessage(change.category)}</span>
                </li>
              ))}
            </ul>
          )}
        </section>
      )}

      {moved.length > 0 && (
        <section className={styles.section} aria-labelledby="moved-heading">
          <h3 id="moved-heading" className={styles.subheading}>
            Moved in the latest run ({moved.length})
          </h3>
          <Text className={styles.hint}>
            Their mailbox answered from the other place, so the next run checks them through the profile that reaches
            it.
          </Text>
          <ul className={styles.list} aria-labelledby="moved-heading">
            {moved.map((change) => (
              <li key={change.id}>
                <span className={styles.email}>{change.email}</span>
                <span className={styles.hint}>{change.detail ?? "Moved to another connection profile."}</span>
              </li>
            ))}
          </ul>
        </section>
      )}

      {value && runs.length > 0 && (
        <section className={styles.section} aria-labelledby="failing-heading">
          <h3 id="failing-heading" className={styles.subheading}>
            Failing now ({failing.length})
          </h3>
          {latestStopped && failing.length > 0 && (
            <Text className={styles.hint}>
              The latest run stopped before checking these users: each is listed as of the last run that checked them.
            </Text>
          )}
          {failing.length === 0 ? (
            <Text className={styles.hint}>No user is failing.</Text>
          ) : (
            <Table size="small" className={styles.table} aria-labelledby="failing-heading">
              <TableHeader>
                <TableRow>
                  <TableHeaderCell>User</TableHeaderCell>
                  <TableHeaderCell>Failing for</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {failing.map((user) => (
                  <TableRow key={user.userId}>
                    <TableCell>
                      <span className={styles.email}>{user.email}</span>
                      <span className={styles.hint}>{categoryMessage(user.category)}</span>
                    </TableCell>
                    <TableCell>
                      <time dateTime={user.since} title={new Date(user.since).toLocaleString()}>
                        {failingFor(user.since, now)}
                      </time>
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
        </section>
      )}

      <SidebarReachSection orgId={orgId} />

      <MonitoringSettings orgId={orgId} />
    </div>
  );
}
