/** The Health tab's reach: who opened the sidebar in the last 7 days, out of the users whose mailbox is connected. */
import { Button, Spinner, Text, makeStyles, tokens } from "@fluentui/react-components";
import { useCallback } from "react";
import type { ReachSummaryDto } from "../../../contract/reach";
import { useSession } from "../../auth/SessionProvider";
import { useResource } from "../../hooks/useResource";

const useStyles = makeStyles({
  section: { display: "flex", flexDirection: "column", rowGap: tokens.spacingVerticalS, minWidth: 0 },
  subheading: { margin: 0, fontSize: tokens.fontSizeBase300 },
  figure: { fontWeight: tokens.fontWeightSemibold },
  hint: { display: "block", color: tokens.colorNeutralForeground2, overflowWrap: "anywhere" },
  row: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalS, alignItems: "center" },
  list: { margin: 0, paddingInlineStart: tokens.spacingHorizontalXL },
});

/** "12 of 40 users with a connected mailbox (30%)". */
export function reachFigure(summary: ReachSummaryDto): string {
  const { reached, connected } = summary;
  if (connected === 0) return "No user has a connected mailbox yet.";
  const share = Math.round((reached / connected) * 100);
  return `${reached} of ${connected} users with a connected mailbox (${share}%)`;
}

export function SidebarReachSection({ orgId }: { orgId: string }) {
  const styles = useStyles();
  const { api } = useSession();
  const load = useCallback(() => api.reachSummary(orgId), [api, orgId]);
  const { resource, reload } = useResource(load);
  const summary = resource.value;
  return (
    <section className={styles.section} aria-labelledby="sidebar-reach-heading">
      <h3 id="sidebar-reach-heading" className={styles.subheading}>
        Sidebar reach (opened in the last {summary?.windowDays ?? 7} days)
      </h3>
      {resource.status === "loading" && !summary && <Spinner size="tiny" label="Loading the sidebar reach…" />}
      {resource.status === "error" && (
        // A figure beside the health history: its failure is said quietly, not as a second alert.
        <div className={styles.row}>
          <Text className={styles.hint}>The sidebar reach could not be loaded.</Text>
          <Button size="small" onClick={reload}>
            Reload sidebar reach
          </Button>
        </div>
      )}
      {summary && (
        <>
          <Text className={styles.figure}>{reachFigure(summary)}</Text>
          {summary.perClient.length > 0 ? (
            <ul className={styles.list} aria-label="Sidebar reach per Outlook client">
              {summary.perClient.map((entry) => (
                <li key={entry.client}>
                  {entry.client}: {entry.users} {entry.users === 1 ? "user" : "users"}
                </li>
              ))}
            </ul>
          ) : (
            <Text className={styles.hint}>Nobody with a connected mailbox opened the sidebar in that time.</Text>
          )}
        </>
      )}
    </section>
  );
}
