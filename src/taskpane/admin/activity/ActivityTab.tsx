import {
  Button,
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
import { useCallback, useState } from "react";
import type { AuditEventDto } from "../../../contract/api";
import { auditActionLabel } from "../../../contract/labels";
import { useSession } from "../../auth/SessionProvider";
import { useBrowser } from "../../browser/browserActions";
import { useAction } from "../../hooks/useAction";
import { useResource } from "../../hooks/useResource";
import { FailureMessage } from "../FailureMessage";
import { changeLines } from "./auditDetails";

const PAGE_SIZE = 25;

/** Check runs started by the schedule or after a configuration change say so (CheckRunTrigger in the audit line). */
const RUN_TRIGGER_LABELS: Record<string, string> = {
  scheduled: "Started a scheduled check run",
  after_change: "Started the re-check after a configuration change",
};

function actionLabel(event: AuditEventDto): string {
  const after = event.after as { trigger?: unknown } | null;
  if (event.action === "check_run.start" && typeof after?.trigger === "string") {
    return RUN_TRIGGER_LABELS[after.trigger] ?? auditActionLabel(event.action);
  }
  return auditActionLabel(event.action);
}

const useStyles = makeStyles({
  tab: { display: "flex", flexDirection: "column", rowGap: tokens.spacingVerticalM, minWidth: 0 },
  heading: { margin: 0, fontSize: tokens.fontSizeBase400 },
  row: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalS, alignItems: "center" },
  cell: { overflowWrap: "anywhere" },
  details: { margin: 0, paddingLeft: tokens.spacingHorizontalL, fontSize: tokens.fontSizeBase200 },
});

function Change({ event }: { event: AuditEventDto }) {
  const styles = useStyles();
  const lines = changeLines(event.before, event.after);
  if (lines.length === 0) return null;
  return (
    <details>
      <summary>Details</summary>
      <ul className={styles.details}>
        {lines.map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
    </details>
  );
}

/** Activity: who changed what and when (secrets redacted by the server), paged, with CSV export. */
export function ActivityTab({ orgId }: { orgId: string }) {
  const styles = useStyles();
  const { api } = useSession();
  const browser = useBrowser();
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const load = useCallback(
    () => api.audit(orgId, { limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) }),
    [api, orgId, cursor],
  );
  const { resource: page, reload } = useResource(load);
  const exportCsv = useAction(async () => browser.saveFile(await api.auditCsv(orgId)));

  const events = page.value?.items ?? [];
  return (
    <section className={styles.tab} aria-labelledby="activity-heading">
      <div className={styles.row}>
        <h2 id="activity-heading" className={styles.heading}>
          Activity
        </h2>
        <Button onClick={() => void exportCsv.run()} disabled={exportCsv.pending}>
          {exportCsv.pending ? "Exporting…" : "Export CSV"}
        </Button>
        <Button appearance="subtle" onClick={reload}>
          Refresh
        </Button>
      </div>
      {exportCsv.error !== null && <FailureMessage error={exportCsv.error} />}
      {page.status === "error" && <FailureMessage error={page.error} onRetry={reload} />}
      <Table size="small" aria-label="Audit trail, newest first">
        <TableHeader>
          <TableRow>
            <TableHeaderCell>When</TableHeaderCell>
            <TableHeaderCell>What</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {events.map((event) => (
            <TableRow key={event.id}>
              <TableCell className={styles.cell}>
                <time dateTime={event.at}>{new Date(event.at).toLocaleString()}</time>
              </TableCell>
              <TableCell className={styles.cell}>
                <Text block>
                  {event.actor}: {actionLabel(event)}
                  {event.target ? ` — ${event.target}` : ""}
                </Text>
                <Change event={event} />
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {page.status === "ready" && events.length === 0 && <Text>Nothing has happened in this organization yet.</Text>}
      {page.status === "loading" && <Text aria-live="polite">Loading activity…</Text>}
      <div className={styles.row}>
        <Button disabled={cursors.length <= 1} onClick={() => setCursors((stack) => stack.slice(0, -1))}>
          Newer
        </Button>
        <Button
          disabled={!page.value?.nextCursor}
          onClick={() => {
            const next = page.value?.nextCursor;
            if (next) setCursors((stack) => [...stack, next]);
          }}
        >
          Older
        </Button>
      </div>
    </section>
  );
}
