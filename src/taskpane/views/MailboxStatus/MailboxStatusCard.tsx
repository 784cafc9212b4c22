import { Badge, Button, Text, makeStyles, tokens, type BadgeProps } from "@fluentui/react-components";
import { useCallback } from "react";
import type { MailboxState, MailboxStatusDto } from "../../../contract/api";
import { ACCESS_TYPES } from "../../../contract/accessTypes";
import type { MailboxPlace } from "../../../contract/exchangeOnline";
import { CATEGORIES, isCategoryId } from "../../../contract/categories";
import { CATEGORY_LABELS } from "../../../contract/labels";
import { describeFailure } from "../../backend/errors";
import { useSession } from "../../auth/SessionProvider";
import { useMailboxHost } from "../../hooks/mailboxHostContext";
import { useMailboxUser } from "../../hooks/useMailboxUser";
import { useResource } from "../../hooks/useResource";
import { PLACE_WORDS, endUserHint, endUserWords, placeSentence } from "./endUserWords";
import { monitoringLine } from "./monitoringLine";
import { relativeTime } from "./relativeTime";

const useStyles = makeStyles({
  card: {
    display: "flex",
    flexDirection: "column",
    rowGap: tokens.spacingVerticalS,
    padding: tokens.spacingHorizontalM,
    borderRadius: tokens.borderRadiusMedium,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    backgroundColor: tokens.colorNeutralBackground1,
    minWidth: 0,
  },
  headingRow: { display: "flex", alignItems: "center", justifyContent: "space-between", flexWrap: "wrap", gap: "4px" },
  heading: { margin: 0, fontSize: tokens.fontSizeBase400, lineHeight: tokens.lineHeightBase400 },
  text: { display: "block", overflowWrap: "anywhere" },
  hint: { display: "block", color: tokens.colorNeutralForeground2, overflowWrap: "anywhere" },
  tell: {
    display: "block",
    padding: tokens.spacingHorizontalS,
    backgroundColor: tokens.colorNeutralBackground3,
    borderRadius: tokens.borderRadiusMedium,
    overflowWrap: "anywhere",
  },
  actions: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalS },
  visuallyHidden: {
    position: "absolute",
    width: "1px",
    height: "1px",
    margin: "-1px",
    overflow: "hidden",
    clipPath: "inset(50%)",
    whiteSpace: "nowrap",
  },
});

const STATE_BADGE: Record<MailboxState, { label: string; color: NonNullable<BadgeProps["color"]> }> = {
  connected: { label: "Connected", color: "success" },
  needs_attention: { label: "Needs attention", color: "warning" },
  not_connected: { label: "Not connected", color: "danger" },
  never_checked: { label: "Never checked", color: "informative" },
  not_configured: { label: "Not set up", color: "subtle" },
};

/** Who reads the card: an end user, or an admin of the organization, who fixes things herself. */
type Reader = "user" | "admin";

function headline(value: MailboxStatusDto, reader: Reader): string {
  const org = value.org?.name ?? "your organization";
  switch (value.state) {
    case "connected":
      // An organization with several connections names the one that reaches this mailbox.
      return !value.place
        ? "Connected by your organization."
        : `Connected by your organization (${PLACE_WORDS[value.place.where]}).`;
    case "needs_attention":
      return reader === "admin"
        ? "Your mailbox is connected, but something needs attention."
        : "Your mailbox is connected, but something needs your admin's attention.";
    case "not_connected":
      return `Your mailbox is not connected: ${org} cannot reach it.`;
    case "never_checked":
      return `${org} has set up mailbox access, but your mailbox has not been checked yet.`;
    case "not_configured":
      return value.org
        ? `${org} has not connected mailboxes yet.`
        : "You are not a member of an organization in Sync Sidebar yet.";
  }
}

function advice(value: MailboxStatusDto, reader: Reader): string | null {
  if (reader === "admin") {
    switch (value.state) {
      case "never_checked":
        return "Run a check in Admin settings, Email Configuration: it checks every user's mailbox, yours included.";
      case "not_configured":
        return "Set up the Email Configuration in Admin settings to connect every user's mailbox at once.";
      default:
        return null;
    }
  }
  switch (value.state) {
    case "connected":
      return `${value.org?.name ?? "Your organization"} connected your mailbox for you: there is no mailbox password to type or renew.`;
    case "never_checked":
      return "Nothing to do: your admin runs the check. Come back later or select Refresh.";
    case "not_configured":
      return value.org
        ? "Your admin connects everyone's mailbox at once; you do not need to enter a password."
        : "Ask your admin to add you to your organization.";
    default:
      return null;
  }
}

/** A result that is not "ok": the end user gets a sentence to pass on, the admin the category and its remedy. */
function CheckFinding({
  check,
  reader,
  place,
}: {
  check: NonNullable<MailboxStatusDto["lastCheck"]>;
  reader: Reader;
  /** Where the mailbox is checked, for an organization with several connections: the admin knows which to look at. */
  place: MailboxPlace | null;
}) {
  const styles = useStyles();
  if (reader === "admin") {
    const id = isCategoryId(check.category) ? check.category : null;
    const known = id ? CATEGORIES[id] : null;
    return (
      <>
        <Text className={styles.text} data-testid="mailbox-finding">
          {id && known ? `${CATEGORY_LABELS[id]}: ${known.message}` : check.message}
        </Text>
        {known && <Text className={styles.hint}>What to do: {known.remedy}</Text>}
      </>
    );
  }
  const hint = endUserHint(check.severity);
  return (
    <>
      <Text className={styles.tell} data-testid="mailbox-finding">
        Tell your admin:{" "}
        <q>
          {place === null ? endUserWords(check.category) : `${endUserWords(check.category)} ${placeSentence(place)}`}
        </q>
      </Text>
      {hint && <Text className={styles.hint}>{hint}</Text>}
    </>
  );
}

function StatusBody({ value, reader }: { value: MailboxStatusDto; reader: Reader }) {
  const styles = useStyles();
  const check = value.lastCheck;
  const extra = advice(value, reader);
  const monitoring = monitoringLine(value);
  // A backend with monitoring says when the mailbox was last checked; an older one only has the last result's time.
  const lastChecked = monitoring.lastCheckedAt === undefined ? (check?.checkedAt ?? null) : monitoring.lastCheckedAt;
  return (
    <>
      <Text className={styles.text} data-testid="mailbox-headline">
        {headline(value, reader)}
      </Text>
      {value.accessType && <Text className={styles.hint}>Access: {ACCESS_TYPES[value.accessType].label}</Text>}
      {value.place && value.state !== "connected" && value.state !== "not_configured" && (
        <Text className={styles.hint} data-testid="mailbox-place">
          {reader === "admin"
            ? `Checked through the ${value.place.profileName} profile (${PLACE_WORDS[value.place.where]}).`
            : `Your mailbox is checked in ${PLACE_WORDS[value.place.where]}.`}
        </Text>
      )}
      {check && check.severity !== "ok" && (
        <CheckFinding check={check} reader={reader} place={value.place?.where ?? null} />
      )}
      {extra && <Text className={styles.hint}>{extra}</Text>}
      {lastChecked && (
        <Text size={200} className={styles.hint}>
          Last checked <time dateTime={lastChecked}>{relativeTime(lastChecked)}</time>
        </Text>
      )}
      {!lastChecked && monitoring.lastCheckedAt === null && (
        <Text size={200} className={styles.hint}>
          Not checked yet
        </Text>
      )}
      {monitoring.scheduled !== undefined && (
        <Text size={200} className={styles.hint} data-testid="mailbox-schedule">
          {monitoring.scheduled
            ? "Your organization re-checks mailboxes on a schedule."
            : reader === "admin"
              ? "No checks are scheduled: set a schedule in Admin settings, Health."
              : "Checks run when your admin starts one; none are scheduled."}
        </Text>
      )}
    </>
  );
}

/** Addresses compare without case: the open mailbox's owner against the signed-in account. */
function sameAddress(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

export interface MailboxStatusCardProps {
  /** Shown as "Admin settings" when the user administers an organization. */
  onOpenAdmin?: () => void;
}

/** "Your mailbox": whether the organization's connection reaches the signed-in user's mailbox, and what to do. */
export function MailboxStatusCard({ onOpenAdmin }: MailboxStatusCardProps) {
  const styles = useStyles();
  const session = useSession();
  const loadStatus = useCallback(() => session.api.mailboxStatus(), [session.api]);
  const { resource: state, reload: refresh } = useResource(loadStatus);
  const isAdmin = session.me?.orgs.some((org) => org.role === "admin") ?? false;
  const owner = useMailboxUser(useMailboxHost());
  const signedInAs = session.status === "signed_in" ? (session.account?.username ?? null) : null;
  const otherOwner = owner && signedInAs && !sameAddress(owner.emailAddress, signedInAs) ? owner : null;
  const readerOf = (value: MailboxStatusDto): Reader =>
    session.me?.orgs.some((org) => org.id === value.org?.id && org.role === "admin") ? "admin" : "user";

  let badge: { label: string; color: NonNullable<BadgeProps["color"]> } | null = null;
  let body;
  let announcement = "";
  if (session.status === "restoring") {
    body = <Text className={styles.hint}>Checking your sign-in…</Text>;
  } else if (session.status === "signed_out" || session.status === "expired") {
    const failure = session.signInError;
    body = (
      <>
        <Text className={styles.text}>
          {session.status === "expired"
            ? "Your session has expired. Sign in again to see your mailbox status."
            : "Sign in to see whether your organization has connected your mailbox."}
        </Text>
        {failure && (
          <Text role="alert" className={styles.tell}>
            {failure.message} {failure.action}
          </Text>
        )}
      </>
    );
  } else if (state.status === "ready") {
    badge = STATE_BADGE[state.value.state];
    body = <StatusBody value={state.value} reader={readerOf(state.value)} />;
    announcement = `Your mailbox: ${badge.label}`;
  } else if (state.status === "error") {
    const failure = describeFailure(state.error);
    body = (
      <>
        {state.value && <StatusBody value={state.value} reader={readerOf(state.value)} />}
        <Text role="alert" className={styles.tell}>
          {failure.title} {failure.action}
        </Text>
      </>
    );
    announcement = failure.title;
  } else {
    // Loading, or a "needs sign-in" answer the session is turning into its expired state: the last status stays.
    body = state.value ? (
      <StatusBody value={state.value} reader={readerOf(state.value)} />
    ) : (
      <Text className={styles.hint}>Loading your mailbox status…</Text>
    );
  }

  const signedIn = session.status === "signed_in";
  return (
    <section className={styles.card} aria-labelledby="mailbox-heading" data-testid="mailbox-card">
      <div className={styles.headingRow}>
        <h2 id="mailbox-heading" className={styles.heading}>
          Your mailbox
        </h2>
        {badge && (
          <Badge appearance="filled" color={badge.color} data-testid="mailbox-state">
            {badge.label}
          </Badge>
        )}
      </div>
      {otherOwner && signedInAs && (
        <Text className={styles.tell} data-testid="mailbox-owner-note">
          This mailbox belongs to {otherOwner.displayName} ({otherOwner.emailAddress}), and you are signed in as{" "}
          {signedInAs}: the status below is about your own mailbox, not this one.
        </Text>
      )}
      {body}
      <div className={styles.actions}>
        {!signedIn && session.status !== "restoring" && (
          <Button appearance="primary" onClick={() => void session.signIn()} disabled={session.signingIn}>
            {session.signingIn ? "Signing in…" : "Sign in"}
          </Button>
        )}
        {signedIn && (
          <Button onClick={refresh} disabled={state.status === "loading"}>
            {state.status === "loading" ? "Refreshing…" : "Refresh"}
          </Button>
        )}
        {signedIn && isAdmin && onOpenAdmin && (
          <Button appearance="primary" onClick={onOpenAdmin}>
            Admin settings
          </Button>
        )}
        {signedIn && (
          <Button appearance="subtle" onClick={() => void session.signOut()}>
            Sign out
          </Button>
        )}
      </div>
      <div aria-live="polite" className={styles.visuallyHidden}>
        {announcement}
      </div>
    </section>
  );
}
