/**
 * The Users tab's sidebar reach: per user "Sidebar last opened 2 h ago in new Outlook (Windows), signed in through
 * Outlook", and a filter that lists who never opened the sidebar or whose sign-in fails in it.
 */
import { Field, Select, Text, makeStyles, tokens } from "@fluentui/react-components";
import { useCallback, useMemo, useState } from "react";
import {
  clientLabel,
  signInPathLabel,
  type ReachFilter,
  type SidebarReachDto,
  type UserReachDto,
} from "../../../contract/reach";
import { useSession } from "../../auth/SessionProvider";
import { useResource } from "../../hooks/useResource";
import { FailureMessage } from "../FailureMessage";

const useStyles = makeStyles({
  line: { display: "block", color: tokens.colorNeutralForeground2, overflowWrap: "anywhere" },
  failing: { display: "block", color: tokens.colorPaletteRedForeground1, overflowWrap: "anywhere" },
  panel: { display: "flex", flexDirection: "column", rowGap: tokens.spacingVerticalS, minWidth: 0 },
  list: { margin: 0, paddingInlineStart: tokens.spacingHorizontalXL },
  email: { fontWeight: tokens.fontWeightSemibold, overflowWrap: "anywhere" },
});

/** "just now", "5 min ago", "2 h ago", "3 d ago". */
export function agoShort(iso: string, now: Date): string {
  const minutes = Math.max(0, Math.round((now.getTime() - Date.parse(iso)) / 60_000));
  if (minutes < 1) return "just now";
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.round(hours / 24)} d ago`;
}

/** The admin's one line about a user's sidebar. */
export function sidebarLine(sidebar: SidebarReachDto | null, now: Date): string {
  if (sidebar === null) return "Sidebar never opened (in the last 90 days)";
  const where = clientLabel(sidebar.client, sidebar.platform);
  const line = `Sidebar last opened ${agoShort(sidebar.reportedAt, now)} in ${where}, ${signInPathLabel(sidebar.signInPath)}`;
  return sidebar.signInFailure ? `${line}; last sign-in failure: ${sidebar.signInFailure}` : line;
}

/**
 * Every reporting user's latest sidebar report, for the rows of the user list: a user's report, null when they
 * never opened the sidebar, undefined while the reach is loading (or could not be loaded).
 */
export function useSidebarReachByUser(orgId: string): (userId: string) => SidebarReachDto | null | undefined {
  const { api } = useSession();
  const load = useCallback(() => api.reachUsers(orgId), [api, orgId]);
  const { resource } = useResource(load);
  const items = resource.value?.items;
  return useMemo(() => {
    if (!items) return () => undefined;
    const byUser = new Map(items.flatMap((user) => (user.sidebar ? [[user.userId, user.sidebar] as const] : [])));
    return (userId: string) => byUser.get(userId) ?? null;
  }, [items]);
}

/** The line under a user's name; nothing while unknown. */
export function SidebarLine({ sidebar }: { sidebar: SidebarReachDto | null | undefined }) {
  const styles = useStyles();
  if (sidebar === undefined) return null;
  return (
    <Text size={200} className={sidebar?.signInFailure ? styles.failing : styles.line}>
      {sidebarLine(sidebar, new Date())}
    </Text>
  );
}

const FILTER_LABELS: Record<ReachFilter, string> = {
  never_opened: "Never opened the sidebar",
  sign_in_failing: "Sign-in failing in the sidebar",
};

/** "Find users whose sidebar…": never opened, or sign-in failing; lists them with their line. */
export function SidebarReachFilter({ orgId }: { orgId: string }) {
  const styles = useStyles();
  const { api } = useSession();
  const [filter, setFilter] = useState<ReachFilter | "">("");
  const load = useCallback(
    (): Promise<{ items: UserReachDto[] }> =>
      filter === "" ? Promise.resolve({ items: [] }) : api.reachUsers(orgId, filter),
    [api, orgId, filter],
  );
  const { resource, reload } = useResource(filter === "" ? null : load);
  const found = resource.value?.items ?? [];
  return (
    <div className={styles.panel}>
      <Field label="Sidebar reach">
        <Select value={filter} onChange={(_, data) => setFilter(data.value as ReachFilter | "")}>
          <option value="">All users</option>
          <option value="never_opened">{FILTER_LABELS.never_opened}</option>
          <option value="sign_in_failing">{FILTER_LABELS.sign_in_failing}</option>
        </Select>
      </Field>
      {filter !== "" && resource.status === "error" && <FailureMessage error={resource.error} onRetry={reload} />}
      {filter !== "" && resource.status === "ready" && (
        <section aria-label={FILTER_LABELS[filter]}>
          <Text>
            {found.length === 0
              ? "Nobody."
              : `${found.length} ${found.length === 1 ? "user" : "users"}: ${FILTER_LABELS[filter].toLowerCase()}`}
          </Text>
          <ul className={styles.list}>
            {found.map((user) => (
              <li key={user.userId}>
                <span className={styles.email}>{user.email}</span>
                <SidebarLine sidebar={user.sidebar} />
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
