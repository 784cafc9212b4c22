import { Badge, Text, makeStyles, tokens } from "@fluentui/react-components";
import type { OrgUserDto, UserCheckStatus } from "../../../contract/api";
import { categoryLabel } from "../../../contract/labels";
import { SEVERITY_COLOR } from "../emailConfig/resultText";
import { useBadgeStyles } from "../styles";

const useStyles = makeStyles({
  status: { display: "flex", flexDirection: "column", alignItems: "flex-start", rowGap: tokens.spacingVerticalXXS },
  when: { color: tokens.colorNeutralForeground2 },
});

/** The status filter's choices, worst first. */
export const STATUS_FILTERS: ReadonlyArray<{ value: UserCheckStatus; label: string }> = [
  { value: "error", label: "Not connected" },
  { value: "transient", label: "Retry pending" },
  { value: "warning", label: "Needs attention" },
  { value: "ok", label: "Connected" },
  { value: "never_checked", label: "Never checked" },
];

/** "3 h ago", "2 days ago": when the last check ran, in the admin's terms. */
export function checkedAgo(checkedAt: string, now = Date.now()): string {
  const minutes = Math.max(0, Math.round((now - Date.parse(checkedAt)) / 60_000));
  if (minutes < 1) return "just now";
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.round(hours / 24)} days ago`;
}

/** A user's last check: its category's label in its severity's colour, and when. */
export function UserStatus({ user }: { user: OrgUserDto }) {
  const styles = useStyles();
  const badge = useBadgeStyles();
  const check = user.lastCheck;
  if (!check) {
    return (
      <Badge appearance="outline" color="informative" data-testid="user-status">
        Never checked
      </Badge>
    );
  }
  return (
    <span className={styles.status} data-testid="user-status">
      <Badge
        appearance="tint"
        color={SEVERITY_COLOR[check.severity]}
        data-category={check.category}
        className={badge.wrapping}
      >
        {categoryLabel(check.category)}
      </Badge>
      <Text size={200} className={styles.when}>
        <time dateTime={check.checkedAt} title={new Date(check.checkedAt).toLocaleString()}>
          {checkedAgo(check.checkedAt)}
        </time>
      </Text>
    </span>
  );
}
